package org.omnileads.omlha.vrrp;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The picture the package docs draw, checked on the compiled classes: the wire format ({@code vrrp.packet})
 * and the state machine ({@code vrrp.fsm}) are pure, so they use nothing of the transport, of native code,
 * of a network framework or of a logger; and the wire format knows nothing of the state machine. A rule
 * whose {@code that()} matches no class fails too (ArchUnit's default), so a renamed package cannot make
 * it pass by checking nothing.
 */
@AnalyzeClasses(packages = "org.omnileads.omlha.vrrp", importOptions = ImportOption.DoNotIncludeTests.class)
class PurePackagesArchTest {

    @ArchTest
    static final ArchRule packetAndFsmDoNoIo = noClasses()
            .that().resideInAnyPackage("..vrrp.packet..", "..vrrp.fsm..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "..vrrp.net..", "jnr..", "io.netty..", "org.omnileads.omlha.linux..", "org.slf4j..")
            .because("packet and fsm are pure (see their package-info): sockets, native calls and logging"
                    + " belong to vrrp.net and the agent");

    @ArchTest
    static final ArchRule packetKnowsNothingOfTheStateMachine = noClasses()
            .that().resideInAPackage("..vrrp.packet..")
            .should().dependOnClassesThat().resideInAPackage("..vrrp.fsm..")
            .because("the wire format is below the state machine");
}
