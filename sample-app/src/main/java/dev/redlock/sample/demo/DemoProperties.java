package dev.redlock.sample.demo;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The start-up demo, under {@code sample.demo.*}.
 *
 * @param enabled whether the demo runs on start-up
 * @param instances how many application instances to simulate, each with its own lock engine
 * and connection pools
 * @param threadsPerInstance how many threads of each instance pay orders at once
 * @param ordersPerPhase how many orders every thread tries to pay in each phase
 * @param gatewayLatency how long the simulated payment provider takes to charge
 * @param phaseTimeout the longest one phase may run; threads stop when it is over
 */
@ConfigurationProperties("sample.demo")
public record DemoProperties(@DefaultValue("true") boolean enabled, @DefaultValue("3") int instances,
		@DefaultValue("4") int threadsPerInstance, @DefaultValue("20") int ordersPerPhase,
		@DefaultValue("1ms") Duration gatewayLatency, @DefaultValue("10s") Duration phaseTimeout) {

	/**
	 * Validates the settings.
	 * @param enabled whether the demo runs
	 * @param instances the simulated instances
	 * @param threadsPerInstance the threads per instance
	 * @param ordersPerPhase the orders per phase
	 * @param gatewayLatency the gateway latency
	 * @param phaseTimeout the phase timeout
	 */
	public DemoProperties {
		requireAtLeast("sample.demo.instances", instances, 1);
		requireAtLeast("sample.demo.threads-per-instance", threadsPerInstance, 1);
		requireAtLeast("sample.demo.orders-per-phase", ordersPerPhase, 1);
		if (gatewayLatency.isNegative()) {
			throw new IllegalArgumentException("sample.demo.gateway-latency must not be negative: " + gatewayLatency);
		}
		if (phaseTimeout.isNegative() || phaseTimeout.isZero()) {
			throw new IllegalArgumentException("sample.demo.phase-timeout must be positive: " + phaseTimeout);
		}
	}

	private static void requireAtLeast(String property, int value, int minimum) {
		if (value < minimum) {
			throw new IllegalArgumentException(property + " must be at least " + minimum + ", but was " + value);
		}
	}

}
