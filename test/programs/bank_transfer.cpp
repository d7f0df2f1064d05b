// Transfers between accounts lock only the account they take money from, so a transfer and
// an audit can interleave: the audit sees money in flight and the total looks wrong.
// Fixed: transfers and the audit take one lock for the whole bank.
#include <cassert>
#include <mutex>
#include <thread>

namespace {

struct Account {
  std::mutex lock;
  int balance = 100;
};

Account accounts[2];
std::mutex bank;
int audited_total = 0;

void transfer(Account &from, Account &to, int amount) {
#ifdef FIXED
  std::lock_guard<std::mutex> guard(bank);
  from.balance -= amount;
  to.balance += amount;
#else
  {
    std::lock_guard<std::mutex> guard(from.lock);
    from.balance -= amount;
  }
  std::lock_guard<std::mutex> guard(to.lock);
  to.balance += amount;
#endif
}

void audit() {
#ifdef FIXED
  std::lock_guard<std::mutex> guard(bank);
#endif
  audited_total = accounts[0].balance + accounts[1].balance;
}

} // namespace

int main() {
  std::thread mover([] { transfer(accounts[0], accounts[1], 30); });
  std::thread auditor(audit);
  mover.join();
  auditor.join();
  assert(audited_total == 200);
  return 0;
}
