// Train.java - logistic regression (or one tanh hidden layer) on scikit-learn's
// breast_cancer.csv, driven by lrsweep over the protocol of docs/trainers.md.
// Standard library only. Run as: java Train.java (JDK 11+ single-file launch);
// $DATA names another CSV of scikit-learn's layout (a "n,features,..." first
// line, the label last, 0 or 1).
//
// The protocol channel is descriptor 3, a socket. Java cannot open a descriptor
// number, and opening /proc/self/fd/3 fails for a socket (ENXIO), so the
// experiment starts this program with the socket as its stdin:
//   command: [/bin/sh, -c, 'exec java Train.java 0<&3']
// and System.inheritedChannel() hands it back as a SocketChannel.
import java.io.*;
import java.nio.channels.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;

public class Train {
	// ---- a small JSON reader: objects become Map, arrays List, numbers BigDecimal ----
	static final class Json {
		final String s; int i;
		Json(String s) { this.s = s; }
		static Object parse(String s) { Json j = new Json(s); Object v = j.value(); j.ws(); if (j.i != s.length()) throw new IllegalArgumentException("trailing text"); return v; }
		void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }
		Object value() {
			ws();
			char c = s.charAt(i);
			if (c == '{') { i++; Map<String, Object> m = new LinkedHashMap<>(); ws(); if (s.charAt(i) == '}') { i++; return m; }
				for (;;) { ws(); String k = string(); ws(); expect(':'); m.put(k, value()); ws(); if (s.charAt(i) == ',') { i++; continue; } expect('}'); return m; } }
			if (c == '[') { i++; List<Object> l = new ArrayList<>(); ws(); if (s.charAt(i) == ']') { i++; return l; }
				for (;;) { l.add(value()); ws(); if (s.charAt(i) == ',') { i++; continue; } expect(']'); return l; } }
			if (c == '"') return string();
			if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
			if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
			if (s.startsWith("null", i)) { i += 4; return null; }
			int b = i;
			while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
			return new java.math.BigDecimal(s.substring(b, i));   // every digit: seeds use 64 bits
		}
		void expect(char c) { if (s.charAt(i) != c) throw new IllegalArgumentException("expected " + c + " at " + i); i++; }
		String string() {
			expect('"'); StringBuilder b = new StringBuilder();
			for (;;) { char c = s.charAt(i++);
				if (c == '"') return b.toString();
				if (c != '\\') { b.append(c); continue; }
				c = s.charAt(i++);
				switch (c) { case 'n': b.append('\n'); break; case 't': b.append('\t'); break; case 'r': b.append('\r'); break;
					case 'b': b.append('\b'); break; case 'f': b.append('\f'); break;
					case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
					default: b.append(c); } }
		}
	}
	@SuppressWarnings("unchecked")
	static Object path(Object o, String dotted) {
		for (String k : dotted.split("\\.")) { if (!(o instanceof Map)) return null; o = ((Map<String, Object>) o).get(k); }
		return o;
	}
	static double num(Object o, String dotted, double dflt) { Object v = path(o, dotted); return v instanceof Number ? ((Number) v).doubleValue() : dflt; }
	static int step(Map<String, Object> m) { return ((Number) m.get("step")).intValue(); }

	// ---- the channel ----
	static BufferedReader in;
	static OutputStream out;
	static void send(String line) throws IOException {
		out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
		out.flush();                                    // every message at once
	}
	static final class Stopped extends Exception { Stopped(String r) { super(r); } }

	// ---- the model ----
	static double[][] x; static int[] y; static int nf;
	static int[] train, val, test;
	static int hidden;
	static double[] w1, b1, w2; static double b2;       // w1 (hidden, nf), w2 (hidden or nf)
	static double[] v1, vb1, v2; static double vb2;     // momentum buffers

	// p(y=1|x) and, with a hidden layer, its activations in h
	static double forward(double[] xi, double[] h) {
		double z = b2;
		if (hidden == 0) { for (int j = 0; j < nf; j++) z += w2[j] * xi[j]; }
		else for (int k = 0; k < hidden; k++) {
			double a = b1[k]; for (int j = 0; j < nf; j++) a += w1[k * nf + j] * xi[j];
			h[k] = Math.tanh(a); z += w2[k] * h[k];
		}
		return 1 / (1 + Math.exp(-z));
	}
	static double bce(double p, int t) { double e = 1e-12; return -(t == 1 ? Math.log(Math.max(p, e)) : Math.log(Math.max(1 - p, e))); }
	static double[] evaluate(int[] idx, int limit) {
		int n = limit > 0 ? Math.min(limit, idx.length) : idx.length;
		double loss = 0; int right = 0; double[] h = new double[Math.max(hidden, 1)];
		for (int r = 0; r < n; r++) { int i = idx[r]; double p = forward(x[i], h); loss += bce(p, y[i]); if ((p >= 0.5 ? 1 : 0) == y[i]) right++; }
		return new double[] { loss / n, (double) right / n };
	}
	static double step(int[] batch, double lr, double mom, double wd) {
		int m = hidden == 0 ? nf : hidden;
		double[] g1 = new double[hidden * nf], gb1 = new double[hidden], g2 = new double[m]; double gb2 = 0, loss = 0;
		double[] h = new double[Math.max(hidden, 1)];
		for (int i : batch) {
			double p = forward(x[i], h); loss += bce(p, y[i]);
			double d = (p - y[i]) / batch.length; gb2 += d;
			if (hidden == 0) { for (int j = 0; j < nf; j++) g2[j] += d * x[i][j]; continue; }
			for (int k = 0; k < hidden; k++) {
				g2[k] += d * h[k];
				double dk = d * w2[k] * (1 - h[k] * h[k]); gb1[k] += dk;
				for (int j = 0; j < nf; j++) g1[k * nf + j] += dk * x[i][j];
			}
		}
		// SGD as torch.optim.SGD: g += wd*w; v = mom*v + g; w -= lr*v
		for (int j = 0; j < m; j++) { v2[j] = mom * v2[j] + g2[j] + wd * w2[j]; w2[j] -= lr * v2[j]; }
		vb2 = mom * vb2 + gb2; b2 -= lr * vb2;
		for (int j = 0; j < g1.length; j++) { v1[j] = mom * v1[j] + g1[j] + wd * w1[j]; w1[j] -= lr * v1[j]; }
		for (int k = 0; k < hidden; k++) { vb1[k] = mom * vb1[k] + gb1[k]; b1[k] -= lr * vb1[k]; }
		return loss / batch.length;
	}

	static void load(String file) throws IOException {
		List<String> lines = Files.readAllLines(Paths.get(file));
		String[] head = lines.get(0).split(",");
		int n = Integer.parseInt(head[0]); nf = Integer.parseInt(head[1]);
		x = new double[n][nf]; y = new int[n];
		for (int i = 0; i < n; i++) {
			String[] f = lines.get(i + 1).split(",");
			for (int j = 0; j < nf; j++) x[i][j] = Double.parseDouble(f[j]);
			y[i] = Integer.parseInt(f[nf].trim());
		}
		// a fixed split (seed 0): 70% train, 15% validation, 15% test
		List<Integer> order = new ArrayList<>(); for (int i = 0; i < n; i++) order.add(i);
		Collections.shuffle(order, new Random(0));
		int nt = n * 70 / 100, nv = n * 15 / 100;
		train = order.subList(0, nt).stream().mapToInt(Integer::intValue).toArray();
		val = order.subList(nt, nt + nv).stream().mapToInt(Integer::intValue).toArray();
		test = order.subList(nt + nv, n).stream().mapToInt(Integer::intValue).toArray();
		for (int j = 0; j < nf; j++) {                  // standardize with the training split's statistics
			double mu = 0, sd = 0;
			for (int i : train) mu += x[i][j]; mu /= nt;
			for (int i : train) sd += (x[i][j] - mu) * (x[i][j] - mu); sd = Math.sqrt(sd / nt);
			if (sd == 0) sd = 1;
			for (int i = 0; i < n; i++) x[i][j] = (x[i][j] - mu) / sd;
		}
	}

	// ---- waiting for lrsweep ----
	static final Map<Integer, double[]> rates = new HashMap<>();   // step -> {lr, momentum or NaN}
	static String stopReason;
	static Integer answer;                                          // ack'ed epoch, or -epoch when pruned

	// reads one message and acts on it; false at the end of the stream
	@SuppressWarnings("unchecked")
	static boolean readOne() throws IOException {
		String line = in.readLine();
		if (line == null) return false;
		Map<String, Object> m = (Map<String, Object>) Json.parse(line);
		String op = (String) m.get("op");
		switch (op) {
		case "lr": rates.put(step(m), new double[] { num(m, "lr", Double.NaN), num(m, "momentum", Double.NaN) }); break;
		case "eval": {                                  // evaluate the model as it is now
			int s = step(m);
			double[] e = evaluate(val, evalSamples);
			send("{\"op\":\"eval\",\"step\":" + s + ",\"val_loss\":" + e[0] + ",\"val_accuracy\":" + e[1] + "}");
			break; }
		case "ack": answer = (int) num(m, "epoch", 0); break;
		case "prune": answer = -(int) num(m, "epoch", 0); break;
		case "stop": stopReason = (String) m.get("reason"); break;
		default: System.err.println("Train: ignoring " + line);
		}
		return true;
	}
	static double[] rate(int step) throws IOException, Stopped {
		while (!rates.containsKey(step)) {
			if (stopReason != null) throw new Stopped(stopReason);
			if (!readOne()) throw new IOException("lrsweep closed the channel");
		}
		if (stopReason != null) throw new Stopped(stopReason);
		return rates.remove(step);
	}
	static int evalSamples;

	public static void main(String[] args) throws Exception {
		Channel ch = System.inheritedChannel();
		if (!(ch instanceof SocketChannel)) {
			System.err.println("Train: stdin is not lrsweep's socket: start me as [/bin/sh, -c, 'exec java Train.java 0<&3']");
			System.exit(2);
		}
		in = new BufferedReader(new InputStreamReader(Channels.newInputStream((SocketChannel) ch), StandardCharsets.UTF_8));
		out = Channels.newOutputStream((SocketChannel) ch);

		String data = System.getenv().getOrDefault("DATA", "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv");
		load(data);
		Object pf = Json.parse(new String(Files.readAllBytes(Paths.get(System.getenv("LRSWEEP_PARAMS_FILE"))), StandardCharsets.UTF_8));
		int batch = (int) num(pf, "batch_size", 32);
		int spe = (train.length + batch - 1) / batch;
		send("{\"op\":\"hello\",\"protocol\":1,\"steps_per_epoch\":" + spe + "}");

		Map<String, Object> cfg = null;
		for (;;) {
			String line = in.readLine();
			if (line == null) throw new IOException("lrsweep closed the channel before config");
			@SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) Json.parse(line);
			if ("stop".equals(m.get("op"))) { System.err.println("Train: stopped before config (" + m.get("reason") + ")"); return; }
			if ("config".equals(m.get("op"))) { cfg = m; break; }
		}
		String mode = (String) cfg.get("mode");
		// seeds are 0 .. 2^64-1 (a range test's is drawn from all 64 bits):
		// Long.parseLong and a double would fail or round them; longValue()
		// keeps the low 64 bits, Long.parseUnsignedLong's reading
		long seed = ((java.math.BigDecimal) cfg.get("seed")).toBigInteger().longValue();
		int epochs = (int) num(cfg, "epochs", 1);
		int maxSteps = (int) num(cfg, "max_steps", 0);
		evalSamples = (int) num(cfg, "eval_samples", 0);
		double momentum = num(cfg, "optimizer.momentum", 0), wd = num(cfg, "optimizer.weight_decay", 0);
		hidden = (int) num(cfg, "params.hidden", 0);
		System.out.println("Train: " + mode + " seed " + Long.toUnsignedString(seed) + " hidden " + hidden + " batch " + batch + " steps/epoch " + spe);

		Random rng = new Random(seed);
		w1 = new double[hidden * nf]; b1 = new double[hidden]; w2 = new double[hidden == 0 ? nf : hidden];
		v1 = new double[w1.length]; vb1 = new double[hidden]; v2 = new double[w2.length];
		for (int j = 0; j < w1.length; j++) w1[j] = rng.nextGaussian() / Math.sqrt(nf);
		for (int j = 0; j < w2.length; j++) w2[j] = rng.nextGaussian() / Math.sqrt(w2.length) * 0.1;

		// a trial: epochs * spe steps (max_steps, when set, cuts it short); a
		// range test: steps until lrsweep's stop, whose eval messages are
		// answered while the next rate is awaited, the last one too
		int total = "trial".equals(mode) ? epochs * spe : Integer.MAX_VALUE;
		if ("trial".equals(mode) && maxSteps > 0) total = Math.min(total, maxSteps);
		int s = 0;
		try {
			for (int e = 1; s < total; e++) {
				int[] order = train.clone();
				for (int i = order.length - 1; i > 0; i--) { int j = rng.nextInt(i + 1); int t = order[i]; order[i] = order[j]; order[j] = t; }
				double sum = 0; int n = 0;
				for (int b = 0; b < spe && s < total; b++, s++) {
					double[] r = rate(s);
					double mom = Double.isNaN(r[1]) ? momentum : r[1];
					int[] idx = Arrays.copyOfRange(order, b * batch, Math.min(order.length, (b + 1) * batch));
					double loss = step(idx, r[0], mom, wd);
					sum += loss; n++;
					send("{\"op\":\"loss\",\"step\":" + s + ",\"loss\":" + loss + "}");
				}
				if (!"trial".equals(mode)) continue;        // a range test's curve is its steps
				if (n < spe) break;                         // max_steps ended it mid-epoch
				double[] tr = evaluate(train, 0), va = evaluate(val, 0);
				send("{\"op\":\"epoch\",\"epoch\":" + e + ",\"train_loss\":" + tr[0] + ",\"train_accuracy\":" + tr[1]
						+ ",\"val_loss\":" + va[0] + ",\"val_accuracy\":" + va[1] + "}");
				answer = null;
				while (answer == null) {
					if (stopReason != null) throw new Stopped(stopReason);
					if (!readOne()) throw new IOException("lrsweep closed the channel");
				}
				if (answer < 0) { System.out.println("Train: pruned at epoch " + (-answer)); return; }
			}
			double[] te = evaluate(test, 0);
			send("{\"op\":\"done\",\"test_loss\":" + te[0] + ",\"test_accuracy\":" + te[1] + "}");
			System.out.println("Train: done, test accuracy " + te[1]);
		} catch (Stopped st) {
			System.out.println("Train: stopped (" + st.getMessage() + ") after " + s + " steps");
		}
	}
}
