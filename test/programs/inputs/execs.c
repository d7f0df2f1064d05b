// Replaces itself with another program: interlace run cannot follow it.
#include <unistd.h>

int main(void) {
  execl("/bin/true", "true", (char *)0);
  return 1;
}
