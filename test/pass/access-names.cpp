// Each access's site names what it touches, in the source's terms: a struct field as
// Type::field (through nested structs too), a global by its name, an array element with [].
// At -O2 the names survive optimisation.
// RUN: %clangxx -g -O0 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clangxx -g -O2 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s

struct Counter {
  int pad;
  int value;
  void increment() { value = value + 1; }
};

struct Box {
  Counter counter;
  int items[4];
};

int balance;
int table[8];
Box box;

void touch(int i, Counter &c) {
  balance = table[i];
  box.counter.value = 1;
  box.items[i] = 2;
  c.increment();
}

struct First {
  int only; // at offset 0: its GEP has all-zero indices
};

int read_first(First &f) { return f.only; }

// CHECK-DAG: [[BALANCE:@interlace.str[.0-9]*]] = private unnamed_addr constant [8 x i8] c"balance\00"
// CHECK-DAG: [[TABLE:@interlace.str[.0-9]*]] = private unnamed_addr constant [8 x i8] c"table[]\00"
// CHECK-DAG: [[VALUE:@interlace.str[.0-9]*]] = private unnamed_addr constant [15 x i8] c"Counter::value\00"
// CHECK-DAG: [[ITEMS:@interlace.str[.0-9]*]] = private unnamed_addr constant [13 x i8] c"Box::items[]\00"
// The read of table[i] (line 23, kind 0), the write of balance (kind 1), box.counter.value,
// box.items[i], and the read and write of value in increment() (line 10).
// CHECK-DAG: i32 23, i32 13, i32 0, i32 0, ptr [[TABLE]]
// CHECK-DAG: i32 23, i32 11, i32 1, i32 0, ptr [[BALANCE]]
// CHECK-DAG: i32 24, i32 21, i32 1, i32 0, ptr [[VALUE]]
// CHECK-DAG: i32 25, i32 16, i32 1, i32 0, ptr [[ITEMS]]
// CHECK-DAG: i32 10, i32 30, i32 0, i32 0, ptr [[VALUE]]
// CHECK-DAG: i32 10, i32 28, i32 1, i32 0, ptr [[VALUE]]
// CHECK-DAG: [[ONLY:@interlace.str[.0-9]*]] = private unnamed_addr constant [12 x i8] c"First::only\00"
// CHECK-DAG: i32 33, i32 37, i32 0, i32 0, ptr [[ONLY]]
