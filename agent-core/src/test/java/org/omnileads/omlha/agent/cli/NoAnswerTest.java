package org.omnileads.omlha.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.SocketException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NoAnswerTest {
    private static final Path SOCKET = Path.of("/run/omlha/agent.sock");

    @Test
    void aUserOutsideGroupOmlhaIsToldToJoinIt() {
        assertEquals("omlha-agent status: permission denied on /run/omlha/agent.sock: the control socket is for root and group omlha;"
                + " add bob to it (usermod -aG omlha bob) and log in again",
                NoAnswer.line("status", SOCKET, new SocketException("Permission denied"), "bob"));
    }

    @Test
    void noSocketMeansNoAgent() {
        assertEquals("omlha-agent maintenance: no agent answers on /run/omlha/agent.sock (no socket). Is it running?"
                + " systemctl status omlha-agent",
                NoAnswer.line("maintenance", SOCKET, new SocketException("No such file or directory"), "root"));
    }

    @Test
    void anythingElseKeepsTheSystemsWords() {
        assertEquals("omlha-agent status: no agent answers on /run/omlha/agent.sock (Connection refused). Is it running?"
                + " systemctl status omlha-agent", NoAnswer.line("status", SOCKET, new SocketException("Connection refused"), "root"));
        assertEquals("omlha-agent status: no agent answers on /run/omlha/agent.sock (IOException). Is it running?"
                + " systemctl status omlha-agent", NoAnswer.line("status", SOCKET, new IOException(), "root"));
    }
}
