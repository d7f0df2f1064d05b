// Two threads call the library's increment; main asserts that none was lost.
#include <assert.h>
#include <pthread.h>

void bump(void);
extern int shared_counter;

static void *run(void *arg) {
  (void)arg;
  bump();
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, run, NULL);
  pthread_create(&b, NULL, run, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  assert(shared_counter == 2);
  return 0;
}
