// Two threads increment a shared counter without a lock; main asserts that no increment was
// lost. Fails when one thread's read and write straddle the other's. Fixed: a lock around the
// increment.
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

int counter;

pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *increment(void *arg) {
  (void)arg;
#ifdef FIXED
  pthread_mutex_lock(&lock);
#endif
  int seen = counter;
  counter = seen + 1;
#ifdef FIXED
  pthread_mutex_unlock(&lock);
#endif
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, increment, NULL);
  pthread_create(&b, NULL, increment, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("counter = %d\n", counter);
  assert(counter == 2);
  return 0;
}
