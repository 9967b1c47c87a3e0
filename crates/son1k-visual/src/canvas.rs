//! An RGB picture the scenes draw on: 8 bits per channel, rows top to bottom, with the few
//! primitives they need (fill, rectangles, additive discs), every one clipped to the picture.

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// The colour at `hue` (0–1 around the wheel), full saturation, scaled by `value` (0–1).
    pub fn hue(hue: f32, value: f32) -> Rgb {
        let h = hue.rem_euclid(1.0) * 6.0;
        let x = 1.0 - ((h % 2.0) - 1.0).abs();
        let (r, g, b) = match h as u32 {
            0 => (1.0, x, 0.0),
            1 => (x, 1.0, 0.0),
            2 => (0.0, 1.0, x),
            3 => (0.0, x, 1.0),
            4 => (x, 0.0, 1.0),
            _ => (1.0, 0.0, x),
        };
        let v = value.clamp(0.0, 1.0) * 255.0;
        Rgb((r * v) as u8, (g * v) as u8, (b * v) as u8)
    }

    /// This colour scaled by `f` (0–1).
    pub fn scaled(self, f: f32) -> Rgb {
        let f = f.clamp(0.0, 1.0);
        Rgb(
            (f32::from(self.0) * f) as u8,
            (f32::from(self.1) * f) as u8,
            (f32::from(self.2) * f) as u8,
        )
    }
}

/// A picture of `width` × `height` pixels, RGB24.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl Canvas {
    /// A black picture.
    pub fn new(width: usize, height: usize) -> Self {
        Canvas {
            width,
            height,
            pixels: vec![0; width * height * 3],
        }
    }

    /// Width, pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height, pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The pixels, RGB, row after row.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The mean of every channel of every pixel, 0–255 (a picture's brightness).
    pub fn mean(&self) -> f64 {
        if self.pixels.is_empty() {
            return 0.0;
        }
        self.pixels.iter().map(|&p| u64::from(p)).sum::<u64>() as f64 / self.pixels.len() as f64
    }

    /// Paints the whole picture `c`.
    pub fn fill(&mut self, c: Rgb) {
        if c.0 == c.1 && c.1 == c.2 {
            self.pixels.fill(c.0);
            return;
        }
        for px in self.pixels.chunks_exact_mut(3) {
            px.copy_from_slice(&[c.0, c.1, c.2]);
        }
    }

    /// Paints the rectangle from (`x`, `y`), `w` × `h` pixels, `c` (clipped).
    pub fn rect(&mut self, x: i64, y: i64, w: i64, h: i64, c: Rgb) {
        self.each(x, y, w, h, |px| px.copy_from_slice(&[c.0, c.1, c.2]));
    }

    /// Adds `c` to the rectangle from (`x`, `y`), `w` × `h` pixels (saturating, clipped): light
    /// that adds up where shapes cross.
    pub fn add_rect(&mut self, x: i64, y: i64, w: i64, h: i64, c: Rgb) {
        self.each(x, y, w, h, |px| {
            px[0] = px[0].saturating_add(c.0);
            px[1] = px[1].saturating_add(c.1);
            px[2] = px[2].saturating_add(c.2);
        });
    }

    /// Runs `f` on each pixel (its 3 bytes) of the clipped rectangle.
    fn each(&mut self, x: i64, y: i64, w: i64, h: i64, f: impl Fn(&mut [u8])) {
        let Some((x0, x1, y0, y1)) = self.clip(x, y, w, h) else {
            return;
        };
        for row in y0..y1 {
            let start = (row * self.width + x0) * 3;
            let end = (row * self.width + x1) * 3;
            self.pixels[start..end].chunks_exact_mut(3).for_each(&f);
        }
    }

    /// Adds a disc of radius `r` centred on (`cx`, `cy`) in `c`, fading to nothing at its edge.
    pub fn add_disc(&mut self, cx: f32, cy: f32, r: f32, c: Rgb) {
        if !(r > 0.0 && cx.is_finite() && cy.is_finite()) {
            return;
        }
        let y0 = (cy - r).floor().max(0.0) as usize;
        let y1 = ((cy + r).ceil() as i64).clamp(0, self.height as i64) as usize;
        let x0 = (cx - r).floor().max(0.0) as usize;
        let x1 = ((cx + r).ceil() as i64).clamp(0, self.width as i64) as usize;
        let r2 = r * r;
        for y in y0..y1 {
            let dy = y as f32 + 0.5 - cy;
            for x in x0..x1 {
                let dx = x as f32 + 0.5 - cx;
                let d2 = dx * dx + dy * dy;
                if d2 >= r2 {
                    continue;
                }
                let f = 1.0 - d2 / r2;
                let i = (y * self.width + x) * 3;
                let add = c.scaled(f);
                self.pixels[i] = self.pixels[i].saturating_add(add.0);
                self.pixels[i + 1] = self.pixels[i + 1].saturating_add(add.1);
                self.pixels[i + 2] = self.pixels[i + 2].saturating_add(add.2);
            }
        }
    }

    fn clip(&self, x: i64, y: i64, w: i64, h: i64) -> Option<(usize, usize, usize, usize)> {
        let x0 = x.clamp(0, self.width as i64) as usize;
        let x1 = x.saturating_add(w).clamp(0, self.width as i64) as usize;
        let y0 = y.clamp(0, self.height as i64) as usize;
        let y1 = y.saturating_add(h).clamp(0, self.height as i64) as usize;
        (x0 < x1 && y0 < y1).then_some((x0, x1, y0, y1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_clipped_and_light_adds_up() {
        let mut c = Canvas::new(4, 3);
        c.rect(-2, -2, 4, 4, Rgb(10, 20, 30));
        c.add_rect(1, 1, 100, 100, Rgb(250, 0, 0));
        fn px(c: &Canvas, x: usize, y: usize) -> &[u8] {
            &c.pixels()[(y * 4 + x) * 3..(y * 4 + x) * 3 + 3]
        }
        assert_eq!(px(&c, 0, 0), [10, 20, 30]);
        assert_eq!(px(&c, 1, 1), [255, 20, 30]);
        assert_eq!(px(&c, 3, 2), [250, 0, 0]);
        assert_eq!(px(&c, 2, 0), [0, 0, 0]);
        c.add_disc(f32::NAN, 1.0, 3.0, Rgb(1, 1, 1));
        c.add_disc(-50.0, 1.0, 3.0, Rgb(1, 1, 1));
        assert_eq!(px(&c, 0, 0), [10, 20, 30]);
        assert_eq!(Rgb::hue(0.0, 1.0), Rgb(255, 0, 0));
        assert_eq!(Rgb::hue(1.0 / 3.0, 1.0), Rgb(0, 255, 0));
    }
}
