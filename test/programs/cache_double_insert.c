// A cache looks up a key under a read lock and, on a miss, inserts under the write lock
// without looking again: two threads that missed both insert. Fixed: look again under the
// write lock.
#include <assert.h>
#include <pthread.h>

pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
int present;
int inserts;

static void *lookup(void *arg) {
  (void)arg;
  pthread_rwlock_rdlock(&lock);
  int hit = present;
  pthread_rwlock_unlock(&lock);
  if (!hit) {
    pthread_rwlock_wrlock(&lock);
#ifdef FIXED
    if (!present) {
      present = 1;
      inserts++;
    }
#else
    present = 1;
    inserts++;
#endif
    pthread_rwlock_unlock(&lock);
  }
  return NULL;
}

int main(void) {
  pthread_t t1, t2;
  pthread_create(&t1, NULL, lookup, NULL);
  pthread_create(&t2, NULL, lookup, NULL);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  assert(inserts == 1);
  return 0;
}
