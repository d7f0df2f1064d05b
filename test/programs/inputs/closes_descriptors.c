// Closes every descriptor it inherited above the standard streams, as daemons do: an
// execution's process cannot be put back after that, so `interlace run` runs the search
// again with a fork per execution, which still finds the lost update.
#define _GNU_SOURCE
#include <assert.h>
#include <pthread.h>
#include <unistd.h>

int counter;

static void *increment(void *arg) {
  (void)arg;
  int seen = counter;
  counter = seen + 1;
  return NULL;
}

int main(void) {
  close_range(3, ~0U, 0);
  pthread_t a;
  pthread_t b;
  pthread_create(&a, NULL, increment, NULL);
  pthread_create(&b, NULL, increment, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  assert(counter == 2);
  return 0;
}
