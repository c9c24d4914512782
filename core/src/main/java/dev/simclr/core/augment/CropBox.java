package dev.simclr.core.augment;

/** A crop box in pixels: rows top..top+height-1, columns left..left+width-1. */
public record CropBox(int top, int left, int height, int width) {

    /**
     * torchvision's RandomResizedCrop sampling: up to ten tries of an area fraction uniform in {@code scale} and a
     * log-uniform aspect ratio in {@code ratio}, sides rounded half to even, a uniform position; when no try fits,
     * the centred box of the largest area whose aspect ratio lies within {@code ratio}.
     */
    public static CropBox sample(ViewRandom rnd, int height, int width, double scaleMin, double scaleMax,
                                 double ratioMin, double ratioMax) {
        double area = (double) height * width;
        double logMin = Math.log(ratioMin);
        double logMax = Math.log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * rnd.uniform(scaleMin, scaleMax);
            double aspect = Math.exp(rnd.uniform(logMin, logMax));
            int w = (int) Math.rint(Math.sqrt(target * aspect));
            int h = (int) Math.rint(Math.sqrt(target / aspect));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                int top = rnd.nextInt(height - h + 1);
                int left = rnd.nextInt(width - w + 1);
                return new CropBox(top, left, h, w);
            }
        }
        double inRatio = (double) width / height;
        int w;
        int h;
        if (inRatio < ratioMin) {
            w = width;
            h = (int) Math.rint(w / ratioMin);
        } else if (inRatio > ratioMax) {
            h = height;
            w = (int) Math.rint(h * ratioMax);
        } else {
            w = width;
            h = height;
        }
        return new CropBox((height - h) / 2, (width - w) / 2, h, w);
    }
}
