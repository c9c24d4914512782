package dev.simclr.core.dataset;

/**
 * Images in memory: {@code pixels} is uint8, N×H×W×C in C order (channels last), {@code labels} one class index
 * per image, or {@link #UNLABELLED} for an image without one (an unlabelled import pretrains, nothing else).
 */
public record LabelledImages(int height, int width, int channels, byte[] pixels, long[] labels) {
    /** The label of an image that has none. */
    public static final long UNLABELLED = -1;

    public LabelledImages {
        if ((long) labels.length * height * width * channels != pixels.length) {
            throw new IllegalArgumentException(labels.length + " images of " + height + "x" + width + "x"
                    + channels + " need " + (long) labels.length * height * width * channels + " bytes, got "
                    + pixels.length);
        }
    }

    public int count() {
        return labels.length;
    }

    public int labelledCount() {
        return (int) java.util.Arrays.stream(labels).filter(l -> l != UNLABELLED).count();
    }

    /** The labelled images only (these images, not a copy, when every one is labelled). */
    public LabelledImages labelledOnly() {
        if (labelledCount() == count()) {
            return this;
        }
        return select(java.util.stream.IntStream.range(0, count()).filter(i -> labels[i] != UNLABELLED).toArray());
    }

    /** The same images, none labelled. */
    public static LabelledImages unlabelled(int height, int width, int channels, byte[] pixels) {
        long[] none = new long[pixels.length / (height * width * channels)];
        java.util.Arrays.fill(none, UNLABELLED);
        return new LabelledImages(height, width, channels, pixels, none);
    }

    public int imageBytes() {
        return height * width * channels;
    }

    /** The images at {@code indices}, in that order. */
    public LabelledImages select(int[] indices) {
        int size = imageBytes();
        byte[] px = new byte[indices.length * size];
        long[] lb = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * size, px, i * size, size);
            lb[i] = labels[indices[i]];
        }
        return new LabelledImages(height, width, channels, px, lb);
    }

    public static LabelledImages concat(java.util.List<LabelledImages> parts) {
        LabelledImages first = parts.get(0);
        int n = parts.stream().mapToInt(LabelledImages::count).sum();
        byte[] px = new byte[n * first.imageBytes()];
        long[] lb = new long[n];
        int at = 0;
        for (LabelledImages p : parts) {
            System.arraycopy(p.pixels, 0, px, at * first.imageBytes(), p.pixels.length);
            System.arraycopy(p.labels, 0, lb, at, p.count());
            at += p.count();
        }
        return new LabelledImages(first.height, first.width, first.channels, px, lb);
    }
}
