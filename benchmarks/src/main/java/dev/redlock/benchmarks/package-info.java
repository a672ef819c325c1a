/**
 * JMH benchmarks of the Redlock engine against what users would pick instead (a raw Jedis floor,
 * Redisson's {@code RLock} and {@code RedissonRedLock}, Spring Integration's
 * {@code RedisLockRegistry}), on local {@code redis-server} processes, with the launcher
 * ({@link dev.redlock.benchmarks.BenchmarkMain}), the command counter and the report.
 */
package dev.redlock.benchmarks;
