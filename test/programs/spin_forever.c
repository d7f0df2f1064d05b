// The worker announces it started only if the main thread's request was already there when
// it looked; otherwise it never does, and main spins on the flag for ever (a livelock: steps
// without progress). Fixed: the worker always announces.
#include <pthread.h>

volatile int requested;
volatile int started;

static void *worker(void *arg) {
  (void)arg;
#ifdef FIXED
  started = 1;
#else
  if (requested) {
    started = 1;
  }
#endif
  return NULL;
}

int main(void) {
  pthread_t thread;
  pthread_create(&thread, NULL, worker, NULL);
  requested = 1;
  while (!started) {
  }
  pthread_join(thread, NULL);
  return 0;
}
