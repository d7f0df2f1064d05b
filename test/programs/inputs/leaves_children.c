// Each execution forks a process that would sleep for 1000 s and appends its pid to the file
// named by argv[1]; then fails. `interlace run` must not leave any of them behind.
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

int flag;

static void *set(void *arg) {
  (void)arg;
  flag = 1;
  return NULL;
}

int main(int argc, char **argv) {
  pid_t child = fork();
  if (child == 0) {
    sleep(1000);
    _exit(0);
  }
  FILE *pids = fopen(argv[argc - 1], "a");
  fprintf(pids, "%d\n", (int)child);
  fclose(pids);
  pthread_t thread;
  pthread_create(&thread, NULL, set, NULL);
  int seen = flag;
  pthread_join(thread, NULL);
  assert(seen == 1);
  return 0;
}
