package dev.simclr.kit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.simclr.kit.ChannelWatchdog.DownTimer;
import dev.simclr.kit.ChannelWatchdog.DownTimer.Verdict;
import org.junit.jupiter.api.Test;

/** A service whose channels stay down past the grace period exits; one that recovers in time does not. */
class ChannelWatchdogTest {
    static final long S = 1_000_000_000L;

    @Test
    void channelsDownPastTheGraceEndTheProcessAndARecoveryStartsTheClockAgain() {
        DownTimer timer = new DownTimer(60 * S);
        assertThat(timer.observe(true, 0)).isEqualTo(Verdict.UP);
        assertThat(timer.observe(false, 5 * S)).isEqualTo(Verdict.WENT_DOWN);
        assertThat(timer.observe(false, 65 * S)).isEqualTo(Verdict.STILL_DOWN);
        // back up before the grace ran out: the next outage is timed from its own start
        assertThat(timer.observe(true, 70 * S)).isEqualTo(Verdict.UP);
        assertThat(timer.observe(false, 100 * S)).isEqualTo(Verdict.WENT_DOWN);
        assertThat(timer.observe(false, 155 * S)).isEqualTo(Verdict.STILL_DOWN);
        assertThat(timer.observe(false, 161 * S)).isEqualTo(Verdict.EXPIRED);
    }
}
