// Four threads each add their share to a total with a read, then a write: any two of them
// can lose an update. Fixed: an atomic add.
#include <assert.h>
#include <pthread.h>

#define THREADS 4

long total;

static void *add(void *arg) {
  long share = (long)arg;
#ifdef FIXED
  __atomic_fetch_add(&total, share, __ATOMIC_SEQ_CST);
#else
  long seen = total;
  total = seen + share;
#endif
  return NULL;
}

int main(void) {
  pthread_t threads[THREADS];
  for (long i = 0; i < THREADS; ++i) {
    pthread_create(&threads[i], NULL, add, (void *)(i + 1));
  }
  for (int i = 0; i < THREADS; ++i) {
    pthread_join(threads[i], NULL);
  }
  assert(total == 1 + 2 + 3 + 4);
  return 0;
}
