package dev.simclr.core.dataset;

import java.util.SplittableRandom;

/**
 * A synthetic colour domain from grey images (Fashion-MNIST has one channel, so a {@code color} augmentation there
 * only changes brightness and contrast): every image gets its own random foreground and background colour, drawn
 * from a seeded generator in image order, independent of the class. A pixel of grey level g becomes
 * {@code background·(1 − g/255) + foreground·g/255} per channel, so the shape — what the class depends on — is
 * kept and colour is a nuisance a colour-invariant encoder may ignore. Foregrounds are bright (each channel in
 * [96, 255], one channel at 255), backgrounds dark (each in [0, 96)), so the garment stays visible.
 */
public final class Colourise {
    /** The seed of {@code fashion-mnist-colour/v1}: fixed, so every machine imports the same bytes. */
    public static final long SEED = 20210801L;

    private Colourise() {}

    public static LabelledImages apply(LabelledImages grey, long seed) {
        if (grey.channels() != 1) {
            throw new DatasetImportException("colourise: the images have " + grey.channels()
                    + " channels, not 1 (grey)");
        }
        SplittableRandom random = new SplittableRandom(seed);
        int pixels = grey.height() * grey.width();
        byte[] out = new byte[grey.count() * pixels * 3];
        int[] fg = new int[3];
        int[] bg = new int[3];
        for (int i = 0; i < grey.count(); i++) {
            int full = random.nextInt(3);
            for (int c = 0; c < 3; c++) {
                fg[c] = c == full ? 255 : 96 + random.nextInt(160);
                bg[c] = random.nextInt(96);
            }
            for (int p = 0; p < pixels; p++) {
                int g = grey.pixels()[i * pixels + p] & 0xFF;
                for (int c = 0; c < 3; c++) {
                    // integer rounding of bg·(255 − g)/255 + fg·g/255: exact, the same on every machine
                    out[(i * pixels + p) * 3 + c] = (byte) ((bg[c] * (255 - g) + fg[c] * g + 127) / 255);
                }
            }
        }
        return new LabelledImages(grey.height(), grey.width(), 3, out, grey.labels().clone());
    }
}
