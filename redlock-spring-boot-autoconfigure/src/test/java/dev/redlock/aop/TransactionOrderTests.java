package dev.redlock.aop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.redlock.DistributedLock;
import dev.redlock.autoconfigure.RedlockAutoConfiguration;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two application instances (separate contexts, engines and connection pools) share one embedded
 * database and increment a balance under {@code @DistributedLock} + {@code @Transactional}. The
 * lock wraps the transaction, so the next holder always reads the previous holder's committed
 * balance: no update is lost and no two holders read the same balance.
 */
class TransactionOrderTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, RedlockAutoConfiguration.class,
				DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
				JdbcTemplateAutoConfiguration.class, TransactionAutoConfiguration.class))
		.withUserConfiguration(Ledger.class)
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:ledger;DB_CLOSE_DELAY=-1",
				"spring.datasource.generate-unique-name=false", "redlock.restart-guard.enabled=false",
				"redlock.wait-time=20s", "redlock.node-timeout=200ms", "redlock.retry-delay=1ms",
				"redlock.retry-jitter=2ms");

	@Configuration(proxyBeanMethods = false)
	static class Ledger {

		@Bean
		Balance balance(JdbcTemplate jdbc) {
			return new Balance(jdbc);
		}

	}

	static class Balance {

		private final JdbcTemplate jdbc;

		private final ConcurrentLinkedQueue<Long> seen = new ConcurrentLinkedQueue<>();

		Balance(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		public void create() {
			this.jdbc.execute("create table if not exists balance (id int primary key, amount bigint)");
			this.jdbc.execute("create table if not exists audit (amount bigint, line int)");
			this.jdbc.update("merge into balance key (id) values (1, 0)");
		}

		@DistributedLock(name = "balance", key = "'1'")
		@Transactional
		public void deposit() {
			long amount = this.jdbc.queryForObject("select amount from balance where id = 1", Long.class);
			this.seen.add(amount);
			Thread.yield();
			this.jdbc.update("update balance set amount = ? where id = 1", amount + 1);
			// work done at commit time, after the method returned: the commit is not instantaneous
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

				@Override
				public void beforeCommit(boolean readOnly) {
					List<Object[]> lines = new ArrayList<>();
					for (int line = 0; line < 300; line++) {
						lines.add(new Object[] { amount + 1, line });
					}
					Balance.this.jdbc.batchUpdate("insert into audit (amount, line) values (?, ?)", lines);
				}

			});
		}

		public long amount() {
			return this.jdbc.queryForObject("select amount from balance where id = 1", Long.class);
		}

		public List<Long> seen() {
			return new ArrayList<>(this.seen);
		}

	}

	@Test
	void secondInstanceShouldNeverSeeUncommittedStateUnderTheLock() {
		ApplicationContextRunner withNodes = this.runner
			.withPropertyValues("redlock.nodes=" + String.join(",", redis.uris()));
		withNodes.run((first) -> withNodes.run((second) -> {
			Balance one = first.getBean(Balance.class);
			Balance two = second.getBean(Balance.class);
			one.create();
			ExecutorService executor = Executors.newFixedThreadPool(6);
			try {
				List<Future<?>> deposits = new ArrayList<>();
				for (int i = 0; i < 60; i++) {
					Balance instance = (i % 2 == 0) ? one : two;
					deposits.add(executor.submit(instance::deposit));
				}
				for (Future<?> deposit : deposits) {
					deposit.get(60, TimeUnit.SECONDS);
				}
			}
			finally {
				executor.shutdownNow();
			}
			assertThat(one.amount()).isEqualTo(60);
			List<Long> seen = new ArrayList<>(one.seen());
			seen.addAll(two.seen());
			assertThat(seen).as("balances read under the lock").hasSize(60).doesNotHaveDuplicates();
		}));
	}

}
