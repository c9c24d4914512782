package dev.simclr.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class PortsTest {
    @Test
    void freePortsLieBelowTheEphemeralRangeAndCanAllBeBound() throws Exception {
        for (int i = 0; i < 20; i++) {
            int base = Ports.free(4);
            assertThat(base).isGreaterThanOrEqualTo(Ports.LOWEST);
            assertThat(base + 3).isLessThan(Ports.ephemeralLow());
            for (int p = base; p < base + 4; p++) {
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress(p));
                }
            }
        }
    }

    @Test
    void aPortSomethingListensOnIsNotGiven() throws Exception {
        int taken = Ports.free(1);
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(taken));
            for (int i = 0; i < 200; i++) {
                int base = Ports.free(2);
                assertThat(taken).isNotIn(base, base + 1);
            }
        }
    }

    @Test
    void noPortIsGivenTwiceBeforeItsServerBindsIt() {
        // 1,500 draws of 3 from ~22,000 ports: without the memory of ports given, overlaps are all but certain
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < 1500; i++) {
            int base = Ports.free(3);
            for (int p = base; p < base + 3; p++) {
                assertThat(seen.add(p)).as("port %d given twice", p).isTrue();
            }
        }
    }
}
