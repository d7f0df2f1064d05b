/* The program bench_programs runs under `interlace run`: two threads, each making a few dozen
 * accesses to shared memory (a locked counter and a shared array), and no bug, so every
 * execution runs to the end and the run lasts all its attempts. */
#include <pthread.h>

#define SLOTS 8

pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
int counter;
int slots[SLOTS];

static void *work(void *arg) {
  int me = (int)(long)arg;
  for (int round = 0; round < 3; ++round) {
    pthread_mutex_lock(&lock);
    counter++;
    pthread_mutex_unlock(&lock);
    for (int i = me; i < SLOTS; i += 2) {
      slots[i] += slots[(i + 1) % SLOTS];
    }
  }
  return 0;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, 0, work, (void *)0L);
  pthread_create(&b, 0, work, (void *)1L);
  pthread_join(a, 0);
  pthread_join(b, 0);
  return counter == 6 ? 0 : 1;
}
