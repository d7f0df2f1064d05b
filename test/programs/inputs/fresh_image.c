// Checks that each execution starts from main's image, whatever the one before did: it
// asserts that everything is as a fresh process has it, then changes all of it and leaves it
// so: a global, the heap, a thread-local in its thread, a mapping at a fixed address, a file
// descriptor, the working directory, the umask, a signal handler and the environment.
#define _GNU_SOURCE
#include <assert.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIXED_ADDRESS ((void *)0x7e0000000000UL)

static int executions;
static char *kept;
static __thread int thread_value;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int shared;

static void on_signal(int signal) { (void)signal; }

static void *work(void *arg) {
  (void)arg;
  assert(thread_value == 0);
  thread_value = 1;
  pthread_mutex_lock(&lock);
  shared++;
  pthread_mutex_unlock(&lock);
  return NULL;
}

int main(void) {
  // As at main.
  assert(++executions == 1);
  assert(kept == NULL);
  assert(getenv("FRESH_IMAGE_RAN") == NULL);
  char directory[4096];
  assert(getcwd(directory, sizeof directory) != NULL && strcmp(directory, "/") != 0);
  const mode_t mask = umask(0);
  assert(mask != 0777);
  struct sigaction action;
  assert(sigaction(SIGUSR1, NULL, &action) == 0 && action.sa_handler == SIG_DFL);
  int fd = open("/dev/null", O_RDONLY);
  assert(fd >= 0 && fd < 64); // descriptors left open by earlier executions would pile up
  void *fixed = mmap(FIXED_ADDRESS, 1 << 20, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  assert(fixed == FIXED_ADDRESS); // the last execution's mapping is gone

  // Changed, and left so.
  kept = malloc(1 << 20); // above the mmap threshold
  memset(kept, 1, 1 << 20);
  for (int i = 0; i < 100; ++i) {
    memset(malloc(100), 2, 100);
  }
  memset(fixed, 3, 1 << 20);
  setenv("FRESH_IMAGE_RAN", "1", 1);
  assert(chdir("/") == 0);
  umask(0777);
  signal(SIGUSR1, on_signal);

  pthread_t a;
  pthread_t b;
  pthread_create(&a, NULL, work, NULL);
  pthread_create(&b, NULL, work, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  assert(shared == 2);
  return 0;
}
