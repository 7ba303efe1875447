//! The chart: throughput against concurrency, one line per server, one SVG
//! per scenario and payload that was measured at two or more concurrencies.

use std::io;
use std::path::{Path, PathBuf};

use plotters::prelude::*;

use super::plan::LoadSpec;
use super::table::Cell;

/// One chart's data: a title, the unit, and per server its points
/// (connections, median rate).
///
/// Scheme: none.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The chart's title.
    pub title: String,
    /// What the y axis counts.
    pub unit: &'static str,
    /// The file name stem.
    pub stem: String,
    /// `(server, points)`.
    pub lines: Vec<(String, Vec<(f64, f64)>)>,
}

/// Groups closed-loop loads by scenario and payload and keeps the groups
/// with at least two concurrencies.
///
/// Scheme: none.
pub fn series(loads: &[LoadSpec], names: &[String], cells: &[Vec<Option<Cell>>]) -> Vec<Series> {
    let mut groups: Vec<(LoadSpec, Vec<usize>)> = Vec::new();
    for (i, l) in loads.iter().enumerate().filter(|(_, l)| l.rate.is_none()) {
        match groups
            .iter_mut()
            .find(|(g, _)| g.scenario == l.scenario && g.payload == l.payload)
        {
            Some((_, members)) => members.push(i),
            None => groups.push((*l, vec![i])),
        }
    }
    groups
        .into_iter()
        .filter(|(_, m)| m.len() >= 2)
        .map(|(g, members)| {
            let lines = names
                .iter()
                .enumerate()
                .map(|(s, name)| {
                    let points = members
                        .iter()
                        .filter_map(|&i| match &cells[i][s] {
                            Some(c) if c.valid > 0 => Some((loads[i].connections as f64, c.median)),
                            _ => None,
                        })
                        .collect::<Vec<_>>();
                    (name.clone(), points)
                })
                .filter(|(_, p)| !p.is_empty())
                .collect();
            let (stem, title) = match g.payload {
                0 => (g.scenario.to_string(), g.scenario.to_string()),
                p => (
                    format!("{}-{p}", g.scenario),
                    format!("{}, {p} B", g.scenario),
                ),
            };
            Series {
                title: format!("{title}: {} by connections", g.scenario.unit()),
                unit: g.scenario.unit(),
                stem,
                lines,
            }
        })
        .collect()
}

/// Draws `s` as `DIR/STEM.svg` and returns the path.
///
/// Scheme: none.
///
/// # Errors
///
/// Drawing or writing the file.
pub fn draw(s: &Series, dir: &Path) -> io::Result<PathBuf> {
    let path = dir.join(format!("{}.svg", s.stem));
    let fail =
        |e: &dyn std::fmt::Display| io::Error::other(format!("drawing {}: {e}", path.display()));
    let x_max = s
        .lines
        .iter()
        .flat_map(|(_, p)| p.iter().map(|&(x, _)| x))
        .fold(1.0, f64::max)
        * 2.0;
    let y_max = s
        .lines
        .iter()
        .flat_map(|(_, p)| p.iter().map(|&(_, y)| y))
        .fold(1.0, f64::max)
        * 1.15;
    {
        let root = SVGBackend::new(&path, (800, 500)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&s.title, ("sans-serif", 20))
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d((0.5f64..x_max).log_scale(), 0f64..y_max)
            .map_err(|e| fail(&e))?;
        chart
            .configure_mesh()
            .x_desc("connections (log scale)")
            .y_desc(s.unit)
            .y_label_formatter(&|v| super::table::human(*v))
            .x_label_formatter(&|v| format!("{v:.0}"))
            .draw()
            .map_err(|e| fail(&e))?;
        for (i, (name, points)) in s.lines.iter().enumerate() {
            let color = Palette99::pick(i).to_rgba();
            chart
                .draw_series(LineSeries::new(
                    points.iter().copied(),
                    color.stroke_width(2),
                ))
                .map_err(|e| fail(&e))?
                .label(name.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 4, color.filled())))
                .map_err(|e| fail(&e))?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(|e| fail(&e))?;
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn a_chart_is_an_svg_with_every_server_named() {
        let dir = tempfile::tempdir().unwrap();
        let s = Series {
            title: "echo, 16 B".into(),
            unit: "round trips/s",
            stem: "echo-16".into(),
            lines: vec![
                ("raw".into(), vec![(1.0, 1000.0), (16.0, 9000.0)]),
                ("mio".into(), vec![(1.0, 2000.0), (16.0, 20000.0)]),
            ],
        };
        let path = draw(&s, dir.path()).unwrap();
        let svg = std::fs::read_to_string(path).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(100)]);
        assert!(svg.contains("\nraw\n") && svg.contains("\nmio\n"), "{svg}");
    }

    #[test]
    fn groups_need_two_concurrencies() {
        let l = |c| LoadSpec {
            scenario: Scenario::Echo,
            connections: c,
            payload: 16,
            rate: None,
        };
        let loads = [
            l(1),
            l(16),
            LoadSpec {
                rate: Some(1.0),
                ..l(4)
            },
            LoadSpec {
                scenario: Scenario::Chat,
                ..l(4)
            },
        ];
        let empty: Vec<Vec<Option<Cell>>> = vec![vec![None]; 4];
        let s = series(&loads, &["x".into()], &empty);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].stem, "echo-16");
        assert!(s[0].lines.is_empty());
    }
}
