// Many threads: five workers each record that they ran with a plain read-modify-write of one
// bit mask; the lost bit shows only when at least two of them interleave. Fixed: atomic or.
#include <assert.h>
#include <pthread.h>

#define WORKERS 5

unsigned mask;

static void *work(void *arg) {
  unsigned bit = 1u << (unsigned)(long)arg;
#ifdef FIXED
  __atomic_fetch_or(&mask, bit, __ATOMIC_SEQ_CST);
#else
  unsigned seen = mask;
  mask = seen | bit;
#endif
  return NULL;
}

int main(void) {
  pthread_t threads[WORKERS];
  for (long i = 0; i < WORKERS; ++i) {
    pthread_create(&threads[i], NULL, work, (void *)i);
  }
  for (int i = 0; i < WORKERS; ++i) {
    pthread_join(threads[i], NULL);
  }
  assert(mask == (1u << WORKERS) - 1);
  return 0;
}
