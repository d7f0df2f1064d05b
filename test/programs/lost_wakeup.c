// The waiter waits on a condition variable without checking the condition first (an `if`
// that reads the flag outside the lock): if the signal comes before the wait, nobody wakes it
// and main's join waits for ever. Fixed: check the flag under the lock, in a loop.
#include <pthread.h>

pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
int ready;

static void *waiter(void *arg) {
  (void)arg;
#ifdef FIXED
  pthread_mutex_lock(&lock);
  while (!ready) {
    pthread_cond_wait(&changed, &lock);
  }
  pthread_mutex_unlock(&lock);
#else
  int seen = ready;
  pthread_mutex_lock(&lock);
  if (!seen) {
    pthread_cond_wait(&changed, &lock);
  }
  pthread_mutex_unlock(&lock);
#endif
  return NULL;
}

static void *signaller(void *arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  ready = 1;
  pthread_cond_signal(&changed);
  pthread_mutex_unlock(&lock);
  return NULL;
}

int main(void) {
  pthread_t t1, t2;
  pthread_create(&t1, NULL, waiter, NULL);
  pthread_create(&t2, NULL, signaller, NULL);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  return 0;
}
