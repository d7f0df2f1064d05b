// A thread blocks in read() on a pipe nobody writes to: a system call interlace does not
// model, so the execution makes no step again and ends as a stall.
#include <pthread.h>
#include <unistd.h>

int fds[2];

static void *wait_for_data(void *arg) {
  (void)arg;
  char byte;
  return read(fds[0], &byte, 1) == 1 ? (void *)1 : NULL;
}

int main(void) {
  if (pipe(fds) != 0) {
    return 2;
  }
  pthread_t thread;
  pthread_create(&thread, NULL, wait_for_data, NULL);
  pthread_join(thread, NULL);
  return 0;
}
