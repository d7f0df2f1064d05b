// INTERLACE_MARKER works in code built without the pass: this file is compiled without
// interlace_instrument(), so its markers are the only points where threads switch.
#include <gtest/gtest.h>
#include <interlace/interlace.hpp>

namespace {

struct BankAccount {
  int balance = 100;

  void transfer(int amount) {
    INTERLACE_MARKER(read_balance);
    int current = balance;
    INTERLACE_MARKER(write_balance);
    balance = current + amount;
  }
};

TEST(MarkerMacroTest, ForcesTheLostUpdateWithoutThePass) {
  for (int i = 0; i < 20; ++i) {
    BankAccount account;
    interlace::TraceExecutor executor(interlace::Schedule{{"thread1", "read_balance"},
                                                          {"thread2", "read_balance"},
                                                          {"thread1", "write_balance"},
                                                          {"thread2", "write_balance"}});
    executor.run("thread1", [&] { account.transfer(50); });
    executor.run("thread2", [&] { account.transfer(50); });
    executor.wait();
    ASSERT_EQ(account.balance, 150) << "run " << i;
  }
}

} // namespace
