package dev.redlock.sample.orders;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;
import org.springframework.integration.support.locks.LockRegistry;

/**
 * Elects the {@link LedgerAuditor} among the instances, on the auto-configured Redlock lock
 * registry.
 */
@Configuration(proxyBeanMethods = false)
public class LeaderElectionConfiguration {

	@Bean
	LockRegistryLeaderInitiator ledgerAuditorElection(LockRegistry<?> lockRegistry, LedgerAuditor auditor) {
		return new LockRegistryLeaderInitiator(lockRegistry, auditor);
	}

}
