// Two consumers each check that the queue is not empty, then take an item: both can pass the
// check for the last item, and the queue's own consistency check aborts. Fixed: check and take
// under the queue's lock.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

int items[4] = {11, 22, 33, 44};
volatile int count = 1; // volatile: the check and take() read it separately
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int take(void) {
  count--;
  if (count < 0) {
    fprintf(stderr, "queue underflow\n");
    abort();
  }
  return items[count];
}

static void *consume(void *arg) {
  (void)arg;
#ifdef FIXED
  pthread_mutex_lock(&lock);
  if (count > 0) {
    take();
  }
  pthread_mutex_unlock(&lock);
#else
  if (count > 0) {
    take();
  }
#endif
  return NULL;
}

int main(void) {
  pthread_t t1, t2;
  pthread_create(&t1, NULL, consume, NULL);
  pthread_create(&t2, NULL, consume, NULL);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  return 0;
}
