// Two threads initialise a table on first use with `if (!table) table = make()`: both can see
// no table and make one each. Fixed: pthread_once.
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

int *table;
int made;
pthread_once_t once = PTHREAD_ONCE_INIT;

static void make(void) {
  table = calloc(16, sizeof *table);
  __atomic_fetch_add(&made, 1, __ATOMIC_SEQ_CST);
}

static void *use(void *arg) {
  (void)arg;
#ifdef FIXED
  pthread_once(&once, make);
#else
  if (table == NULL) {
    make();
  }
#endif
  table[0]++;
  return NULL;
}

int main(void) {
  pthread_t t1, t2;
  pthread_create(&t1, NULL, use, NULL);
  pthread_create(&t2, NULL, use, NULL);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  assert(made == 1);
  return 0;
}
