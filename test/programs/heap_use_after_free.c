// A worker frees the buffer it shares with main while main may still read it: a use after free
// that only a sanitizer sees (plain reads of freed memory do not crash). Run under ASan by
// `make test-asan`, where the report is the failure. Fixed: main reads before it lets the
// worker free.
#include <pthread.h>
#include <stdlib.h>

int *buffer;
int total;
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t done = PTHREAD_COND_INITIALIZER;
int read_done;

static void *release(void *arg) {
  (void)arg;
#ifdef FIXED
  pthread_mutex_lock(&lock);
  while (!read_done) {
    pthread_cond_wait(&done, &lock);
  }
  pthread_mutex_unlock(&lock);
#endif
  free(buffer);
  return NULL;
}

int main(void) {
  buffer = calloc(4, sizeof *buffer);
  pthread_t thread;
  pthread_create(&thread, NULL, release, NULL);
  total = buffer[1];
  pthread_mutex_lock(&lock);
  read_done = 1;
  pthread_cond_signal(&done);
  pthread_mutex_unlock(&lock);
  pthread_join(thread, NULL);
  return total;
}
