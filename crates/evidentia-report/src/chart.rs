//! The two charts, drawn as vector bars with labelled axes: exception aging (a column per
//! bucket) and time to revoke per system (median and p95 bars side by side).

use crate::canvas::{Align, CONTENT_W, Canvas, MARGIN_X, Rgb3, Style, colour};

/// Axis ticks: a "nice" step (1, 2 or 5 × 10^k) giving at most `max_ticks` steps up to `max`.
pub(crate) fn ticks(max: f64, max_ticks: usize) -> (f64, usize) {
    if max <= 0.0 || !max.is_finite() {
        return (1.0, 1);
    }
    let raw = max / max_ticks.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let n = (max / step).ceil().max(1.0) as usize;
    (step, n)
}

fn label(value: f64) -> String {
    if value.fract().abs() < 1e-9 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// One column of a column chart.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub label: String,
    pub value: f64,
    pub colour: Rgb3,
}

/// A column chart at the cursor: y axis with ticks and gridlines, a column per category with
/// its value on top, axis titles.
pub(crate) fn columns(canvas: &mut Canvas, data: &[Column], y_title: &str, x_title: &str) {
    let height = 190.0;
    canvas.need(height + 10.0);
    let small = Style::new(8.0).colour(colour::MUTED);
    let plot_left = MARGIN_X + 48.0;
    let plot_right = MARGIN_X + CONTENT_W - 10.0;
    let plot_top = canvas.y - 14.0;
    let plot_bottom = canvas.y - height + 34.0;
    let max = data.iter().map(|d| d.value).fold(0.0, f64::max);
    let (step, n) = ticks(max, 5);
    let top_value = step * n as f64;
    let scale = (plot_top - plot_bottom) / top_value as f32;
    for i in 0..=n {
        let v = step * i as f64;
        let y = plot_bottom + v as f32 * scale;
        canvas.line((plot_left, y), (plot_right, y), 0.3, colour::RULE);
        canvas.text(
            plot_left - 34.0,
            y - 3.0,
            30.0,
            &label(v),
            small,
            Align::Right,
        );
    }
    // The y-axis title, written above the axis (rotated text would need a text matrix).
    canvas.text(
        MARGIN_X,
        plot_top + 6.0,
        200.0,
        y_title,
        small.bold(),
        Align::Left,
    );
    let slot = (plot_right - plot_left) / data.len().max(1) as f32;
    let bar_w = (slot * 0.55).min(60.0);
    for (i, d) in data.iter().enumerate() {
        let x = plot_left + slot * i as f32 + (slot - bar_w) / 2.0;
        let h = d.value as f32 * scale;
        if h > 0.0 {
            canvas.fill(x, plot_bottom, bar_w, h, d.colour);
        }
        canvas.text(
            x - 10.0,
            plot_bottom + h + 3.0,
            bar_w + 20.0,
            &label(d.value),
            Style::new(8.5).bold(),
            Align::Centre,
        );
        canvas.text(
            plot_left + slot * i as f32,
            plot_bottom - 12.0,
            slot,
            &d.label,
            Style::new(8.5),
            Align::Centre,
        );
    }
    canvas.line(
        (plot_left, plot_bottom),
        (plot_right, plot_bottom),
        0.8,
        colour::INK,
    );
    canvas.line(
        (plot_left, plot_bottom),
        (plot_left, plot_top),
        0.8,
        colour::INK,
    );
    canvas.text(
        plot_left,
        plot_bottom - 26.0,
        plot_right - plot_left,
        x_title,
        small.bold(),
        Align::Centre,
    );
    canvas.y -= height;
}

/// One category of a paired bar chart: two values drawn as horizontal bars.
#[derive(Debug, Clone)]
pub(crate) struct Pair {
    pub label: String,
    pub first: f64,
    pub second: f64,
}

/// Horizontal paired bars (first darker, second lighter) per category, an x axis with ticks and
/// a title, and a legend naming the two series.
pub(crate) fn paired_bars(canvas: &mut Canvas, data: &[Pair], series: (&str, &str), x_title: &str) {
    let row_h = 26.0;
    let height = data.len() as f32 * row_h + 70.0;
    canvas.need(height.min(600.0));
    let small = Style::new(8.0).colour(colour::MUTED);
    let plot_left = MARGIN_X + 120.0;
    let plot_right = MARGIN_X + CONTENT_W - 40.0;
    // Legend.
    let ly = canvas.y - 10.0;
    canvas.fill(plot_left, ly - 1.0, 10.0, 8.0, colour::BAR);
    canvas.text(
        plot_left + 14.0,
        ly,
        120.0,
        series.0,
        Style::new(8.5),
        Align::Left,
    );
    canvas.fill(plot_left + 130.0, ly - 1.0, 10.0, 8.0, colour::BAR_LIGHT);
    canvas.text(
        plot_left + 144.0,
        ly,
        120.0,
        series.1,
        Style::new(8.5),
        Align::Left,
    );
    canvas.y -= 22.0;
    let max = data
        .iter()
        .map(|d| d.first.max(d.second))
        .fold(0.0, f64::max);
    let (step, n) = ticks(max, 6);
    let scale = (plot_right - plot_left) / (step * n as f64) as f32;
    let mut plot_top = canvas.y;
    let mut rows_on_page = 0usize;
    let finish_axis = |canvas: &mut Canvas, top: f32| {
        let bottom = canvas.y;
        for i in 0..=n {
            let v = step * i as f64;
            let x = plot_left + v as f32 * scale;
            canvas.line((x, bottom), (x, top), 0.3, colour::RULE);
            canvas.text(
                x - 20.0,
                bottom - 11.0,
                40.0,
                &label(v),
                small,
                Align::Centre,
            );
        }
        canvas.line((plot_left, bottom), (plot_right, bottom), 0.8, colour::INK);
        canvas.line((plot_left, bottom), (plot_left, top), 0.8, colour::INK);
        canvas.text(
            plot_left,
            bottom - 24.0,
            plot_right - plot_left,
            x_title,
            small.bold(),
            Align::Centre,
        );
        canvas.y = bottom - 34.0;
    };
    for d in data {
        if rows_on_page > 0 && canvas.y - row_h - 34.0 < crate::canvas::CONTENT_BOTTOM {
            finish_axis(canvas, plot_top);
            canvas.new_page();
            plot_top = canvas.y;
            rows_on_page = 0;
        }
        let top = canvas.y;
        canvas.text(
            MARGIN_X,
            top - row_h / 2.0 - 3.0,
            112.0,
            &d.label,
            Style::new(8.5),
            Align::Right,
        );
        let bar_h = 8.0;
        for (i, (value, fill)) in [(d.first, colour::BAR), (d.second, colour::BAR_LIGHT)]
            .into_iter()
            .enumerate()
        {
            let y = top - 4.0 - (i as f32 + 1.0) * (bar_h + 1.5);
            let w = (value as f32 * scale).max(0.0);
            if w > 0.0 {
                canvas.fill(plot_left, y, w, bar_h, fill);
            }
            canvas.text(
                plot_left + w + 3.0,
                y + 1.0,
                36.0,
                &format!("{value:.1}"),
                Style::new(7.0),
                Align::Left,
            );
        }
        canvas.y -= row_h;
        rows_on_page += 1;
    }
    finish_axis(canvas, plot_top);
}

#[cfg(test)]
mod tests {
    use super::ticks;

    #[test]
    fn nice_ticks_cover_the_maximum() {
        for (max, want_step) in [
            (7.0, 2.0),
            (10.0, 2.0),
            (23.0, 5.0),
            (480.0, 100.0),
            (0.4, 0.1),
        ] {
            let (step, n) = ticks(max, 5);
            assert!((step - want_step).abs() < 1e-9, "{max}: step {step}");
            assert!(step * n as f64 >= max && n <= 5, "{max}: {n} × {step}");
        }
        assert_eq!(ticks(0.0, 5), (1.0, 1));
    }
}
