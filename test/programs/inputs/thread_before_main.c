// Starts a thread from a constructor, before main, as some libraries do (a logger's flusher):
// such a thread would run on through a rollback, so `interlace run` forks each execution for
// this program from the start, and still finds the lost update in main's threads.
#include <assert.h>
#include <pthread.h>
#include <unistd.h>

static void *background(void *arg) {
  (void)arg;
  for (;;) {
    pause();
  }
  return NULL;
}

__attribute__((constructor)) static void start_background(void) {
  pthread_t thread;
  pthread_create(&thread, NULL, background, NULL);
  pthread_detach(thread);
}

int counter;

static void *increment(void *arg) {
  (void)arg;
  int seen = counter;
  counter = seen + 1;
  return NULL;
}

int main(void) {
  pthread_t a;
  pthread_t b;
  pthread_create(&a, NULL, increment, NULL);
  pthread_create(&b, NULL, increment, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  assert(counter == 2);
  return 0;
}
