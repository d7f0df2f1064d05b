// A reader checks a shared pointer, then uses it; a closer frees the object and clears the
// pointer in between: the reader dereferences NULL (SIGSEGV). Fixed: the reader copies the
// pointer once and the closer waits for readers (a lock around both).
#include <pthread.h>
#include <stdlib.h>

struct session {
  int id;
};

struct session *volatile current;
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
int seen;

static void *reader(void *arg) {
  (void)arg;
#ifdef FIXED
  pthread_mutex_lock(&lock);
  if (current != NULL) {
    seen = current->id;
  }
  pthread_mutex_unlock(&lock);
#else
  if (current != NULL) {
    seen = current->id;
  }
#endif
  return NULL;
}

static void *closer(void *arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  struct session *old = current;
  current = NULL;
  pthread_mutex_unlock(&lock);
  free(old);
  return NULL;
}

int main(void) {
  current = malloc(sizeof *current);
  current->id = 7;
  pthread_t t1, t2;
  pthread_create(&t1, NULL, reader, NULL);
  pthread_create(&t2, NULL, closer, NULL);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  return 0;
}
