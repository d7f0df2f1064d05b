// Starts no thread: every schedule of main alone is the same one.
#include <stdio.h>

int total;

int main(void) {
  for (int i = 0; i < 10; ++i) {
    total += i;
  }
  printf("%d\n", total);
  return 0;
}
