// Main stops a worker by clearing `running` and then frees the buffer the worker writes to;
// it does not wait for the worker to notice, so the worker writes to freed memory, which
// interlace sees as the worker's write after main's free failing the final check. Fixed: join
// the worker before freeing.
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

volatile int running = 1;
int *volatile buffer;
int late_writes;

static void *worker(void *arg) {
  (void)arg;
  for (int i = 0; i < 3 && running; ++i) {
    int *target = buffer;
    if (target == NULL) {
      late_writes++;
      return NULL;
    }
    target[i] = i;
  }
  return NULL;
}

int main(void) {
  buffer = calloc(4, sizeof *buffer);
  pthread_t thread;
  pthread_create(&thread, NULL, worker, NULL);
  running = 0;
#ifdef FIXED
  pthread_join(thread, NULL);
  free(buffer);
  buffer = NULL;
#else
  free(buffer);
  buffer = NULL;
  pthread_join(thread, NULL);
#endif
  assert(late_writes == 0);
  return 0;
}
