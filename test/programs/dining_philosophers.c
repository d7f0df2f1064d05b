// Three philosophers each take the fork on their left, then the one on their right: if all
// three hold their left fork, nobody eats again. Fixed: the last one takes its forks in the
// other order, which breaks the cycle.
#include <pthread.h>

#define PHILOSOPHERS 3

pthread_mutex_t forks[PHILOSOPHERS];
int meals;

static void *dine(void *arg) {
  int me = (int)(long)arg;
  int left = me;
  int right = (me + 1) % PHILOSOPHERS;
#ifdef FIXED
  if (me == PHILOSOPHERS - 1) {
    int swap = left;
    left = right;
    right = swap;
  }
#endif
  pthread_mutex_lock(&forks[left]);
  pthread_mutex_lock(&forks[right]);
  meals++;
  pthread_mutex_unlock(&forks[right]);
  pthread_mutex_unlock(&forks[left]);
  return NULL;
}

int main(void) {
  pthread_t threads[PHILOSOPHERS];
  for (int i = 0; i < PHILOSOPHERS; ++i) {
    pthread_mutex_init(&forks[i], NULL);
  }
  for (long i = 0; i < PHILOSOPHERS; ++i) {
    pthread_create(&threads[i], NULL, dine, (void *)i);
  }
  for (int i = 0; i < PHILOSOPHERS; ++i) {
    pthread_join(threads[i], NULL);
  }
  return meals == PHILOSOPHERS ? 0 : 1;
}
