// Reads a number from standard input; exits with status 0 when it is 7, 1 otherwise (also when
// there is nothing to read).
#include <pthread.h>
#include <stdio.h>

int value;

static void *check(void *arg) {
  (void)arg;
  value = value * 1;
  return NULL;
}

int main(void) {
  if (scanf("%d", &value) != 1) {
    return 1;
  }
  pthread_t thread;
  pthread_create(&thread, NULL, check, NULL);
  pthread_join(thread, NULL);
  return value == 7 ? 0 : 1;
}
