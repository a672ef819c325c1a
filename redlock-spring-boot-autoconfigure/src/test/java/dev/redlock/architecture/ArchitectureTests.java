package dev.redlock.architecture;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

class ArchitectureTests {

	private final JavaClasses classes = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.redlock");

	@Test
	void engineShouldNotDependOnSpring() {
		noClasses().that()
			.resideInAPackage("dev.redlock.core..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("org.springframework..")
			.check(this.classes);
	}

	@Test
	void publicApiShouldNotDependOnSpring() {
		noClasses().that()
			.resideInAPackage("dev.redlock")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("org.springframework..")
			.check(this.classes);
	}

	@Test
	void engineShouldNotDependOnTheSpringLayers() {
		noClasses().that()
			.resideInAPackage("dev.redlock.core..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.redlock.aop..", "dev.redlock.autoconfigure..")
			.check(this.classes);
	}

	@Test
	void onlyTheJedisPackageShouldKnowJedis() {
		noClasses().that()
			.resideInAPackage("dev.redlock..")
			.and()
			.resideOutsideOfPackage("dev.redlock.core.jedis..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("redis.clients..")
			.check(this.classes);
	}

	@Test
	void protocolShouldKnowNeitherJedisNorSpring() {
		noClasses().that()
			.resideInAPackage("dev.redlock.protocol..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("redis.clients..", "org.springframework..")
			.check(this.classes);
	}

	@Test
	void engineShouldNotKnowTheRedisProtocol() {
		// the engine speaks to LockNode only; what goes over the wire is the drivers' business
		noClasses().that()
			.resideInAPackage("dev.redlock.core..")
			.and()
			.resideOutsideOfPackage("dev.redlock.core.jedis..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("dev.redlock.protocol..")
			.check(this.classes);
	}

	@Test
	void jedisInternalsShouldBeTouchedInOneInternalPackageOnly() {
		noClasses().that()
			.resideOutsideOfPackage("dev.redlock.core.jedis.internal..")
			.should()
			.dependOnClassesThat()
			.haveFullyQualifiedName("redis.clients.jedis.JedisSocketFactory")
			.orShould()
			.dependOnClassesThat()
			.haveFullyQualifiedName("redis.clients.jedis.DefaultJedisSocketFactory")
			.orShould()
			.dependOnClassesThat()
			.haveFullyQualifiedName("redis.clients.jedis.Protocol")
			.orShould()
			.dependOnClassesThat()
			.haveFullyQualifiedName("redis.clients.jedis.Protocol$Command")
			.orShould()
			.dependOnClassesThat()
			.resideInAPackage("org.apache.commons.pool2..")
			.orShould()
			.beAssignableTo("redis.clients.jedis.Connection")
			.check(this.classes);
	}

	@Test
	void enginePackagesShouldBeFreeOfCycles() {
		slices().matching("dev.redlock.core.(**)").should().beFreeOfCycles().check(this.classes);
	}

	@Test
	void packagesShouldBeFreeOfCycles() {
		// every package is a slice, the public API (dev.redlock itself) like every package below it: it
		// may use an engine only through an interface of its own, never by importing the engine back;
		// a driver (core.jedis) may use the client-neutral protocol, which may use the engine's SPI
		slices().assignedFrom(new SliceAssignment() {

			@Override
			public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
				String name = javaClass.getPackageName();
				return (name.equals("dev.redlock") || name.startsWith("dev.redlock.")) ? SliceIdentifier.of(name)
						: SliceIdentifier.ignore();
			}

			@Override
			public String getDescription() {
				return "dev.redlock and each package below it";
			}

		}).should().beFreeOfCycles().check(this.classes);
	}

	@Test
	void engineClassesShouldBeFreeOfCycles() {
		// each top-level class (with its nested classes) a slice of its own: no class of the engine
		// calls back into a class that uses it
		slices().assignedFrom(new SliceAssignment() {

			@Override
			public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
				if (!javaClass.getPackageName().startsWith("dev.redlock.core")) {
					return SliceIdentifier.ignore();
				}
				String name = javaClass.getName();
				int nested = name.indexOf('$');
				return SliceIdentifier.of((nested < 0) ? name : name.substring(0, nested));
			}

			@Override
			public String getDescription() {
				return "top-level classes of dev.redlock.core";
			}

		}).should().beFreeOfCycles().check(this.classes);
	}

}
