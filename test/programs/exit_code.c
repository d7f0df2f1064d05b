// No assertion: the program reports a lost update only through its exit status, which
// `interlace run --fail-on-exit-code` turns into a failure. Fixed: a lock around the update.
#include <pthread.h>
#include <stdio.h>

int hits;
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *hit(void *arg) {
  (void)arg;
#ifdef FIXED
  pthread_mutex_lock(&lock);
#endif
  int seen = hits;
  hits = seen + 1;
#ifdef FIXED
  pthread_mutex_unlock(&lock);
#endif
  return NULL;
}

int main(void) {
  pthread_t t1, t2;
  pthread_create(&t1, NULL, hit, NULL);
  pthread_create(&t2, NULL, hit, NULL);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  if (hits != 2) {
    printf("lost a hit: %d\n", hits);
    return 3;
  }
  return 0;
}
