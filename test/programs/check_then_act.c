// Two withdrawals check the balance, then take the money: both can pass the check before
// either takes it, and the balance goes negative. Fixed: check and take under one lock.
#include <assert.h>
#include <pthread.h>

volatile int balance = 10; // volatile: the check and the update read it separately
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *withdraw(void *arg) {
  (void)arg;
#ifdef FIXED
  pthread_mutex_lock(&lock);
#endif
  if (balance >= 10) {
    balance -= 10;
  }
#ifdef FIXED
  pthread_mutex_unlock(&lock);
#endif
  return NULL;
}

int main(void) {
  pthread_t t1, t2;
  pthread_create(&t1, NULL, withdraw, NULL);
  pthread_create(&t2, NULL, withdraw, NULL);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  assert(balance >= 0);
  return 0;
}
