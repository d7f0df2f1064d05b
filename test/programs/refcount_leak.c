// Two owners drop their reference with a plain decrement: both can read 2 and write 1, so the
// object is never freed. Fixed: an atomic decrement.
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

struct object {
  int refs;
};

struct object *shared;
int freed;

static void release(struct object *object) {
#ifdef FIXED
  if (__atomic_sub_fetch(&object->refs, 1, __ATOMIC_ACQ_REL) == 0) {
#else
  int refs = object->refs - 1;
  object->refs = refs;
  if (refs == 0) {
#endif
    free(object);
    __atomic_fetch_add(&freed, 1, __ATOMIC_SEQ_CST);
  }
}

static void *owner(void *arg) {
  (void)arg;
  release(shared);
  return NULL;
}

int main(void) {
  shared = malloc(sizeof *shared);
  shared->refs = 2;
  pthread_t t1, t2;
  pthread_create(&t1, NULL, owner, NULL);
  pthread_create(&t2, NULL, owner, NULL);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  assert(freed == 1);
  return 0;
}
