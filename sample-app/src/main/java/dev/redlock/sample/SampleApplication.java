package dev.redlock.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The Redlock sample: an order service whose payments are guarded by distributed locks, a
 * settlement job that runs on one instance at a time, health on {@code /actuator/health}, and a
 * short demo on start-up. Without {@code redlock.nodes} it starts five local Redis nodes of its
 * own.
 */
@SpringBootApplication
public class SampleApplication {

	/**
	 * Starts the sample.
	 * @param args command-line arguments, such as {@code --redlock.nodes=redis://host1:6379,...}
	 */
	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
