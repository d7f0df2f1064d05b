// Built without the pass: interlace run refuses it.
int main(void) { return 0; }
