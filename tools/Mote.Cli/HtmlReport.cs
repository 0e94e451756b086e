using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;
using Mote.Packer.Quantization;

namespace Mote.Cli
{
    /// <summary>
    /// A self-contained HTML quantization report: the per-layer table, an SVG bar chart of SQNR
    /// per layer, and for every calibrated tensor its histogram with the chosen range marked.
    /// </summary>
    static class HtmlReport
    {
        static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        static string F(double v, string fmt = "G4") => v.ToString(fmt, Inv);

        public static string Render(QuantizeResult q, EvalReport r, Metric metric, string title)
        {
            var sb = new StringBuilder();
            sb.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Mote quantization report: ").Append(WebUtility.HtmlEncode(title)).Append("</title>");
            sb.Append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px}th{background:#eee}td.n{text-align:right}svg{background:#fafafa;margin:4px}</style></head><body>");
            sb.Append("<h1>").Append(WebUtility.HtmlEncode(title)).Append("</h1>");
            if (r != null)
            {
                sb.Append($"<p>{r.Samples} samples; model output SQNR {F(r.OutputError.SqnrDb, "F1")} dB, cosine {F(r.OutputError.Cosine, "F4")}, top-1 agreement {F(r.Top1Agreement * 100, "F1")}%.");
                if (r.FloatMetric != null && metric != null)
                    sb.Append($" {WebUtility.HtmlEncode(metric.ToString())}: float {F(r.FloatMetric.Value * 100, "F2")}%, int8 {F(r.Int8Metric.Value * 100, "F2")}%.");
                sb.Append("</p>");
                if (q.Int16Tensors.Count > 0)
                    sb.Append("<p>int16 activations: ").Append(WebUtility.HtmlEncode(string.Join(", ", q.Int16Tensors))).Append(".</p>");
                if (q.Int16Choices.Count > 0)
                {
                    sb.Append("<h2>int16 search</h2><table><tr><th>moved</th><th>layer</th><th>layer SQNR int8 → int16 (dB)</th><th>output SQNR before → after (dB)</th><th>kept</th></tr>");
                    foreach (var c in q.Int16Choices)
                        sb.Append("<tr><td>").Append(WebUtility.HtmlEncode(string.Join(", ", c.Tensors))).Append("</td><td>").Append(WebUtility.HtmlEncode(c.Layer))
                            .Append($"</td><td class=\"n\">{F(c.LayerDbBefore, "F1")} → {F(c.LayerDbAfter, "F1")}</td><td class=\"n\">{F(c.OutputDbBefore, "F1")} → {F(c.OutputDbAfter, "F1")}</td><td>{(c.Accepted ? "int16" : "no (gain &lt; 1 dB)")}</td></tr>");
                    sb.Append("</table>");
                }
                // SQNR per layer.
                int n = r.Layers.Count, w = Math.Max(300, n * 40 + 60), h = 220;
                double max = Math.Max(10, r.Layers.Max(l => Finite(l.Error.SqnrDb)));
                sb.Append($"<h2>SQNR per layer (dB, higher is better)</h2><svg width=\"{w}\" height=\"{h}\">");
                for (int i = 0; i < n; i++)
                {
                    double v = Math.Max(0, Finite(r.Layers[i].Error.SqnrDb));
                    double bh = v / max * (h - 60);
                    sb.Append($"<rect x=\"{40 + i * 40}\" y=\"{F(h - 40 - bh)}\" width=\"30\" height=\"{F(bh)}\" fill=\"#4a7\"><title>{WebUtility.HtmlEncode(r.Layers[i].Op.Name + " " + r.Layers[i].Output.Name)}: {F(v, "F1")} dB</title></rect>");
                    sb.Append($"<text x=\"{40 + i * 40 + 15}\" y=\"{h - 25}\" font-size=\"10\" text-anchor=\"middle\">{i}</text>");
                    sb.Append($"<text x=\"{40 + i * 40 + 15}\" y=\"{F(h - 44 - bh)}\" font-size=\"9\" text-anchor=\"middle\">{F(v, "F0")}</text>");
                }
                sb.Append($"<line x1=\"35\" y1=\"{h - 40}\" x2=\"{w}\" y2=\"{h - 40}\" stroke=\"#333\"/></svg>");
            }
            sb.Append("<h2>Layers</h2><table><tr><th>#</th><th>op</th><th>source</th><th>output</th><th>shape</th><th>range</th><th>chosen by</th><th>scale</th><th>zero point</th><th>SQNR dB</th><th>cosine</th></tr>");
            for (int i = 0; i < q.Float.Ops.Count; i++)
            {
                var op = q.Float.Ops[i];
                var t = q.Float.Tensors[op.Outputs[0]];
                var a = q.Quantized.Activations[t.Index];
                var l = r?.Layers[i];
                sb.Append($"<tr><td class=n>{i}</td><td>{op.Name}{(op.Activation == Packer.Float.FusedActivation.None ? "" : "+" + op.Activation)}</td><td>{WebUtility.HtmlEncode(op.Source)}</td><td>{WebUtility.HtmlEncode(t.Name)}</td><td>{t.ShapeText}</td>"
                    + $"<td>[{F(a.Range.Min)}, {F(a.Range.Max)}]</td><td>{WebUtility.HtmlEncode(a.How)}</td><td class=n>{F(a.Scale)}</td><td class=n>{a.ZeroPoint}</td>"
                    + $"<td class=n>{(l == null ? "" : F(l.Error.SqnrDb, "F1"))}</td><td class=n>{(l == null ? "" : F(l.Error.Cosine, "F4"))}</td></tr>");
            }
            sb.Append("</table>");
            sb.Append("<h2>Calibration histograms</h2><p>Each activation's calibration histogram (log counts) with the chosen range (red) and the min/max range (grey).</p>");
            foreach (var t in q.Float.Tensors)
            {
                var s = q.Stats?[t.Index];
                var a = q.Quantized.Activations[t.Index];
                if (s == null || !s.HasHistogram || a == null) continue;
                sb.Append(Histogram(t.Name, s, a));
            }
            sb.Append("</body></html>");
            return sb.ToString();
        }

        static double Finite(double d) => double.IsPositiveInfinity(d) ? 99 : double.IsNegativeInfinity(d) ? 0 : d;

        static string Histogram(string name, TensorStats s, ActivationQuant a)
        {
            const int w = 420, h = 120, bins = 128;
            var counts = new long[bins];
            for (int b = 0; b < TensorStats.Bins; b++) counts[b * bins / TensorStats.Bins] += s.Histogram[b];
            double lo = Math.Min(s.Min, a.Range.Min), hi = Math.Max(s.Max, a.Range.Max);
            if (hi <= lo) hi = lo + 1;
            double X(double v) => 10 + (v - lo) / (hi - lo) * (w - 20);
            double maxLog = Math.Log10(1 + counts.Max());
            var sb = new StringBuilder();
            sb.Append($"<div><b>{WebUtility.HtmlEncode(name)}</b> — {WebUtility.HtmlEncode(a.How)} [{F(a.Range.Min)}, {F(a.Range.Max)}], observed [{F(s.Min)}, {F(s.Max)}]<br><svg width=\"{w}\" height=\"{h}\">");
            double bw = (double)(s.Max - s.Min) / bins;
            for (int b = 0; b < bins; b++)
            {
                if (counts[b] == 0) continue;
                double bh = Math.Log10(1 + counts[b]) / Math.Max(maxLog, 1e-9) * (h - 20);
                double x0 = X(s.Min + b * bw), x1 = X(s.Min + (b + 1) * bw);
                sb.Append($"<rect x=\"{F(x0)}\" y=\"{F(h - 10 - bh)}\" width=\"{F(Math.Max(1, x1 - x0))}\" height=\"{F(bh)}\" fill=\"#68a\"/>");
            }
            foreach (var (v, c) in new[] { ((double)s.Min, "#999"), (s.Max, "#999"), (a.Range.Min, "#d33"), (a.Range.Max, "#d33") })
                sb.Append($"<line x1=\"{F(X(v))}\" y1=\"5\" x2=\"{F(X(v))}\" y2=\"{h - 10}\" stroke=\"{c}\" stroke-width=\"1.5\"/>");
            sb.Append("</svg></div>");
            return sb.ToString();
        }
    }
}
