package org.omnileads.omlha.agent.policy;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleNameStartingWith;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.Socket;
import org.omnileads.omlha.vip.AddressManager;
import org.omnileads.omlha.vip.Announcer;
import org.omnileads.omlha.vip.LinkMonitor;

/**
 * The policies decide, the runtime acts: nothing in {@code agent.policy} may reach a socket, netlink, native
 * code or a logger. Values of the vip package (VipAddress, LinkState, AnnounceSettings, AnnounceSchedule) are
 * fine; its I/O classes are not. A rule whose {@code that()} matches no class fails (ArchUnit's default), so the
 * package must exist and be spelt right.
 */
@AnalyzeClasses(packages = "org.omnileads.omlha.agent", importOptions = ImportOption.DoNotIncludeTests.class)
class PolicyPurityArchTest {

    private static final DescribedPredicate<JavaClass> VIP_IO = belongToAnyOf(
            AddressManager.class, Announcer.class, LinkMonitor.class)
            .or(resideInAPackage("org.omnileads.omlha.vip").and(simpleNameStartingWith("Netlink")))
            .as("the vip package's I/O classes (AddressManager, Announcer, LinkMonitor, Netlink*)");

    private static final DescribedPredicate<JavaClass> IO = resideInAnyPackage(
            "..vrrp.net..", "jnr..", "org.omnileads.omlha.linux..", "java.nio.channels..", "org.slf4j..")
            .or(belongToAnyOf(Socket.class, ServerSocket.class, DatagramSocket.class))
            .or(VIP_IO)
            .as("are I/O: vrrp.net, the vip package's I/O classes, jnr, omlha.linux, java.net sockets,"
                    + " java.nio.channels, slf4j");

    @ArchTest
    static final ArchRule policiesArePure = noClasses()
            .that().resideInAPackage("org.omnileads.omlha.agent.policy..")
            .should().dependOnClassesThat(IO)
            .because("a policy is a pure function of its inputs, tested without a network; the runtime does the I/O");
}
