// A producer hands two items to two consumers through a semaphore, but posts the second only
// if no consumer took the first yet (a racy "is anyone waiting" check): a consumer can be left
// waiting for ever. Fixed: post once per item.
#include <pthread.h>
#include <semaphore.h>

sem_t items;
int taken;

static void *consume(void *arg) {
  (void)arg;
  sem_wait(&items);
  __atomic_fetch_add(&taken, 1, __ATOMIC_SEQ_CST);
  return NULL;
}

static void *produce(void *arg) {
  (void)arg;
  sem_post(&items);
#ifdef FIXED
  sem_post(&items);
#else
  if (__atomic_load_n(&taken, __ATOMIC_SEQ_CST) == 0) {
    sem_post(&items);
  }
#endif
  return NULL;
}

int main(void) {
  sem_init(&items, 0, 0);
  pthread_t c1, c2, p;
  pthread_create(&c1, NULL, consume, NULL);
  pthread_create(&c2, NULL, consume, NULL);
  pthread_create(&p, NULL, produce, NULL);
  pthread_join(c1, NULL);
  pthread_join(c2, NULL);
  pthread_join(p, NULL);
  return 0;
}
