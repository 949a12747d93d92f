/*
 * cr_threads: a process with three threads survives checkpoint/restart:
 * every thread keeps its TID, its TLS, its signal mask, and resumes in
 * the futex wait it was in; pthread_join() works afterwards.
 */
#include <pthread.h>
#include <sys/syscall.h>
#include "cr_common.h"

#define NTHREADS 3

static __thread int tls_id = -1;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int ready, go;
static pid_t tids[NTHREADS];

static void *worker(void *arg)
{
	int id = (int)(long)arg, bad = 0;
	sigset_t mask, now;

	tls_id = id * 11;
	tids[id] = syscall(SYS_gettid);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGRTMIN + id);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	pthread_mutex_lock(&lock);
	ready++;
	pthread_cond_broadcast(&cond);
	while (!go)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	bad += tls_id != id * 11;
	bad += syscall(SYS_gettid) != tids[id];
	pthread_sigmask(SIG_BLOCK, NULL, &now);
	bad += sigismember(&now, SIGRTMIN + id) != 1;
	bad += sigismember(&now, SIGRTMIN + (id + 1) % NTHREADS) != 0;
	return (void *)(long)bad;
}

int main(void)
{
	pthread_t th[NTHREADS];
	void *res;
	int i;

	tls_id = 99;
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, worker, (void *)(long)i);
	pthread_mutex_lock(&lock);
	while (ready < NTHREADS)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	printf("THREADS %d %d %d\n", tids[0], tids[1], tids[2]);

	cr_ready_and_wait();

	pthread_mutex_lock(&lock);
	go = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	for (i = 0; i < NTHREADS; i++) {
		cr_check(pthread_join(th[i], &res) == 0, "join thread %d", i);
		cr_check(res == NULL, "thread %d saw %ld differences", i, (long)res);
	}
	cr_check(tls_id == 99, "main thread TLS");
	return cr_done();
}
