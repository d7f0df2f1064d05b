// A shared library (built with interlace-cc -shared) whose increment loses updates: its code is
// instrumented like the program's.
int shared_counter;

void bump(void) {
  int seen = shared_counter;
  shared_counter = seen + 1;
}
