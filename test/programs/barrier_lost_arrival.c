// A hand-made barrier counts arrivals with a plain increment outside its lock: two arrivals
// can count as one, the last thread never sees the full count, and everyone waits for ever.
// Fixed: count under the lock.
#include <pthread.h>

#define THREADS 3

pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t all_here = PTHREAD_COND_INITIALIZER;
int arrived;

static void *arrive(void *arg) {
  (void)arg;
#ifdef FIXED
  pthread_mutex_lock(&lock);
  arrived++;
#else
  int seen = arrived;
  arrived = seen + 1;
  pthread_mutex_lock(&lock);
#endif
  if (arrived == THREADS) {
    pthread_cond_broadcast(&all_here);
  }
  while (arrived < THREADS) {
    pthread_cond_wait(&all_here, &lock);
  }
  pthread_mutex_unlock(&lock);
  return NULL;
}

int main(void) {
  pthread_t threads[THREADS];
  for (int i = 0; i < THREADS; ++i) {
    pthread_create(&threads[i], NULL, arrive, NULL);
  }
  for (int i = 0; i < THREADS; ++i) {
    pthread_join(threads[i], NULL);
  }
  return 0;
}
