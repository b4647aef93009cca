r"""Labelled (pred, gold, equivalent) cases for the answer checker, written from the mathematics.

Each section is one kind of answer. Negatives differ slightly from the gold on purpose (a sign, an order, a
bracket, a rounding) so that a lenient checker fails them. Raw strings keep LaTeX readable.
"""

from __future__ import annotations

T, F = True, False

INTEGERS = [
    ("18", "18", T), ("18.0", "18", T), ("18.00", "18", T), ("018", "18", T), ("+5", "5", T),
    ("-7", "-7", T), ("- 7", "-7", T), ("7", "-7", F), ("-2", "2", F), ("17", "18", F),
    ("1,000", "1000", T), ("1000", "1,000", T), ("12,345,678", "12345678", T), ("1{,}000", "1000", T),
    ("1\\,000", "1000", T), ("1 000 000", "1000000", T), ("100", "1000", F), ("1,001", "1000", F),
    ("123456789", "123456788", F), ("0", "0", T), ("-0", "0", T), ("0", "1", F), ("10", "10.5", F),
    ("\\$18.00", "18", T), ("$18", "18", T), ("18 dollars", "18", T), ("\\$18", "\\$18.00", T),
    ("\\$1,250", "1250", T), ("\\$18.50", "18", F), ("\\$19", "18", F), ("18 apples", "18", T),
    ("5 \\text{ cm}", "5", T), ("5\\text{cm}^2", "5", T), ("12 \\mbox{ inches}", "12", T),
    ("6 \\text{ feet}", "7", F), ("42 meters", "24", F), ("3 hours", "3", T), ("\\textbf{42}", "42", T),
    ("\\mathrm{42}", "42", T), ("{42}", "42", T), ("42.", "42", T), ("$42$", "42", T),
    ("\\(42\\)", "42", T), ("\\[42\\]", "42", T), ("4 2", "42", F), ("24", "42", F),
]

DECIMALS = [
    ("0.5", "\\frac{1}{2}", T), (".5", "0.5", T), ("0.50", "0.5", T), ("0.25", "\\frac14", T),
    ("0.75", "\\frac{3}{4}", T), ("0.2", "\\frac{1}{5}", T), ("1.5", "\\frac32", T), ("2.5", "\\frac{5}{2}", T),
    ("0.33", "\\frac{1}{3}", F), ("0.3334", "\\frac13", F), ("0.333", "\\frac{1}{3}", F), ("0.3333", "\\frac13", T),
    ("0.333333333", "\\frac{1}{3}", T), ("0.6667", "\\frac23", T), ("0.666666667", "\\frac{2}{3}", T),
    ("3.14", "\\pi", F), ("3.14159", "\\pi", T), ("3.14159265359", "\\pi", T), ("1.41", "\\sqrt{2}", F),
    ("1.414213562", "\\sqrt2", T), ("2.71828182846", "e", T), ("0.1", "0.01", F), ("0.05", "0.5", F),
    ("1.25", "1.2", F), ("1.2", "1.25", F), ("2.50", "2.5", T), ("-0.5", "-\\frac{1}{2}", T),
    ("-0.5", "\\frac{1}{2}", F), ("0.125", "\\frac{1}{8}", T), ("0.0625", "\\frac{1}{16}", T),
    ("0.1", "\\frac{1}{9}", F), ("0.8", "\\frac{4}{5}", T), ("0.08", "\\frac{4}{5}", F),
]

SCIENTIFIC = [
    ("1.5 \\times 10^{3}", "1500", T), ("1.5e3", "1500", T), ("1.5E+03", "1500", T), ("1.5 \\cdot 10^3", "1500", T),
    ("3 \\times 10^{-2}", "0.03", T), ("3e-2", "0.03", T), ("6.02 \\times 10^{23}", "6.02e23", T),
    ("1.5 \\times 10^{4}", "1500", F), ("3 \\times 10^{-3}", "0.03", F), ("2^{10}", "1024", T),
    ("2^{10}", "1000", F), ("10^6", "1000000", T), ("10^{6}", "100000", F),
]

PERCENT = [
    ("10\\%", "10", T), ("10", "10\\%", T), ("10%", "10", T), ("0.1", "10\\%", T), ("10\\%", "0.1", T),
    ("25\\%", "25", T), ("12.5\\%", "12.5", T), ("20\\%", "25", F), ("11\\%", "10\\%", F),
    ("1000", "10\\%", F), ("0.1", "10", F), ("50 \\%", "50", T), ("50 percent", "50", T),
]

FRACTIONS = [
    ("\\frac{1}{2}", "1/2", T), ("\\dfrac{1}{2}", "\\frac{1}{2}", T), ("\\tfrac12", "\\frac{1}{2}", T),
    ("\\frac12", "0.5", T), ("2/4", "\\frac{1}{2}", T), ("\\frac{2}{4}", "\\frac12", T),
    ("\\frac{-3}{4}", "-\\frac{3}{4}", T), ("-\\frac34", "\\frac{3}{-4}", T), ("\\frac{3}{4}", "\\frac{4}{3}", F),
    ("\\frac{1}{2}", "\\frac{1}{3}", F), ("\\frac{1}{2}", "-\\frac{1}{2}", F), ("\\frac{7}{3}", "2\\frac{1}{3}", T),
    ("2\\frac{1}{3}", "\\frac{7}{3}", T), ("3 1/2", "3.5", T), ("3\\frac{1}{2}", "\\frac72", T),
    ("2\\frac{1}{2}", "\\frac{5}{2}", T), ("2\\frac{1}{2}", "1", F), ("-1\\frac{1}{2}", "-1.5", T),
    ("\\frac{10}{3}", "3\\frac{1}{3}", T), ("\\frac{22}{7}", "\\pi", F), ("\\frac{355}{113}", "\\pi", F),
    ("\\frac{1}{\\frac{1}{2}}", "2", T), ("\\frac{\\frac{1}{2}}{2}", "\\frac{1}{4}", T),
    ("\\frac{1}{2}+\\frac{1}{3}", "\\frac{5}{6}", T), ("\\frac{1}{2}\\cdot\\frac{2}{3}", "\\frac13", T),
    ("\\frac{9}{12}", "\\frac{3}{4}", T), ("\\frac{9}{12}", "\\frac{2}{3}", F), ("1/3", "3", F),
    ("\\frac{100}{3}", "33.3", F), ("\\frac{100}{3}", "33.33333333", T), ("\\cfrac{1}{2}", "0.5", T),
]

RADICALS = [
    ("2\\sqrt{2}", "\\sqrt{8}", T), ("\\sqrt{8}", "2\\sqrt2", T), ("\\sqrt{12}", "2\\sqrt{3}", T),
    ("3\\sqrt{2}", "\\sqrt{18}", T), ("2\\sqrt{3}", "3\\sqrt{2}", F), ("\\sqrt{2}", "2", F),
    ("\\frac{\\sqrt{3}}{2}", "\\dfrac{\\sqrt3}{2}", T), ("\\frac{\\sqrt{3}}{2}", "\\frac{\\sqrt{2}}{2}", F),
    ("\\frac{1}{\\sqrt{2}}", "\\frac{\\sqrt{2}}{2}", T), ("\\frac{1}{\\sqrt{3}}", "\\frac{\\sqrt{3}}{3}", T),
    ("\\frac{1}{\\sqrt{3}}", "\\sqrt{3}", F), ("\\sqrt[3]{8}", "2", T), ("\\sqrt[3]{27}", "3", T),
    ("\\sqrt[3]{9}", "3", F), ("\\sqrt{16}", "4", T), ("\\sqrt{16}", "-4", F), ("\\sqrt{50}", "5\\sqrt{2}", T),
    ("5\\sqrt{2}", "5\\sqrt{3}", F), ("\\sqrt{2}+\\sqrt{3}", "\\sqrt{3}+\\sqrt{2}", T),
    ("\\sqrt{2}+\\sqrt{3}", "\\sqrt{5}", F), ("\\sqrt{2}\\sqrt{3}", "\\sqrt{6}", T), ("sqrt(2)", "\\sqrt{2}", T),
    ("\\sqrt 2", "\\sqrt{2}", T), ("4\\sqrt{2}", "\\sqrt{32}", T), ("4\\sqrt{2}", "\\sqrt{16}", F),
    ("\\frac{3+\\sqrt{5}}{2}", "\\frac{3}{2}+\\frac{\\sqrt5}{2}", T), ("\\frac{3-\\sqrt{5}}{2}", "\\frac{3+\\sqrt{5}}{2}", F),
    ("2^{1/2}", "\\sqrt2", T), ("8^{2/3}", "4", T), ("27^{1/3}", "3", T), ("16^{1/4}", "4", F),
]

PI_TRIG = [
    ("\\frac{\\pi}{2}", "\\frac{1}{2}\\pi", T), ("\\pi/2", "\\frac{\\pi}{2}", T), ("\\frac{\\pi}{3}", "\\frac{\\pi}{6}", F),
    ("2\\pi", "\\pi \\cdot 2", T), ("2\\pi", "\\pi", F), ("\\frac{3\\pi}{4}", "\\frac34\\pi", T),
    ("\\frac{3\\pi}{4}", "\\frac{4\\pi}{3}", F), ("\\pi r^2", "r^2\\pi", T), ("\\pi r^2", "2\\pi r", F),
    ("\\sin\\frac{\\pi}{6}", "\\frac12", T), ("\\cos 0", "1", T), ("\\tan\\frac{\\pi}{4}", "1", T),
    ("\\sin^2 x + \\cos^2 x", "1", T), ("\\sin 2x", "2\\sin x\\cos x", T), ("\\sin x", "\\cos x", F),
    ("36\\pi", "36 \\pi", T), ("36\\pi", "113.097", T), ("\\frac{4}{3}\\pi", "\\frac{4\\pi}{3}", T),
    ("30^\\circ", "30", T), ("30^{\\circ}", "30", T), ("30°", "30", T), ("30", "30^\\circ", T),
    ("45^\\circ", "30^\\circ", F), ("60^\\circ", "\\frac{\\pi}{3}", T), ("150^\\circ", "\\frac{5\\pi}{6}", T),
    ("120^\\circ", "\\frac{\\pi}{3}", F), ("\\arctan 1", "\\frac{\\pi}{4}", T), ("\\ln e", "1", T),
    ("\\log_2 8", "3", T), ("\\log_{2} 16", "5", F), ("e^{\\ln 5}", "5", T), ("e^2", "e^3", F),
]

EXPRESSIONS = [
    ("x^2+2x+1", "(x+1)^2", T), ("(x+1)^2", "x^2+1", F), ("x^2-1", "(x-1)(x+1)", T), ("x^2+1", "x^2-1", F),
    ("2x+1", "1+2x", T), ("2x+1", "2x-1", F), ("2(x+1)", "2x+2", T), ("2(x+1)", "2x+1", F),
    ("\\frac{x}{2}", "0.5x", T), ("\\frac{x}{2}", "2x", F), ("x^3", "x\\cdot x\\cdot x", T), ("x^3", "3x", F),
    ("a^2-b^2", "(a-b)(a+b)", T), ("a^2-b^2", "(a-b)^2", F), ("\\frac{1}{x}", "x^{-1}", T),
    ("\\frac{x+1}{x-1}", "\\frac{x-1}{x+1}", F), ("\\frac{2x}{4}", "\\frac{x}{2}", T), ("xy", "yx", T),
    ("x y", "xy", T), ("x+y", "xy", F), ("3x^2", "3x^{2}", T), ("3x^2", "(3x)^2", F),
    ("\\sqrt{x^2}", "x", T), ("x^{1/2}", "\\sqrt{x}", T), ("x^{1/2}", "x^2", F), ("e^{x}e^{y}", "e^{x+y}", T),
    ("\\frac{1}{2}x^2", "\\frac{x^2}{2}", T), ("\\frac{x^2}{2}", "\\frac{x}{2}^2", F), ("n(n+1)/2", "\\frac{n^2+n}{2}", T),
    ("\\frac{n(n+1)}{2}", "\\frac{n(n-1)}{2}", F), ("2^{n+1}", "2\\cdot 2^n", T), ("2^{n+1}", "2^n+1", F),
    ("x^2+y^2", "y^2+x^2", T), ("-x+3", "3-x", T), ("-x+3", "x-3", F), ("|x|", "|-x|", T), ("|x-1|", "|x+1|", F),
    ("\\binom{5}{2}", "10", T), ("\\binom{6}{3}", "15", F), ("5!", "120", T), ("4!", "120", F),
    ("\\frac{6!}{4!}", "30", T), ("\\lfloor 3.7 \\rfloor", "3", T), ("\\lceil 3.2 \\rceil", "3", F),
    ("3 \\div 4", "\\frac34", T), ("6 \\times 7", "42", T), ("6 \\times 7", "67", F), ("2*3", "6", T),
    ("2**3", "8", T), ("2^3", "9", F), ("x_1 + x_2", "x_2 + x_1", T), ("x_1 + x_2", "x_1 x_2", F),
    ("\\alpha+\\beta", "\\beta+\\alpha", T), ("2\\alpha", "\\alpha", F), ("k", "k", T), ("k+1", "k", F),
]

COMPLEX = [
    ("3+4i", "4i+3", T), ("3+4i", "3-4i", F), ("i^2", "-1", T), ("\\frac{1}{i}", "-i", T), ("2i", "-2i", F),
    ("(1+i)^2", "2i", T), ("1+i", "\\sqrt{2}", F), ("-1+2i", "2i-1", T),
]

EQUATIONS = [
    ("x=3", "3", T), ("3", "x=3", T), ("x = 3", "x=3", T), ("x=3", "x=-3", F), ("x=3", "4", F),
    ("y = 2x+1", "2x+1", T), ("y=2x+1", "y = 1 + 2x", T), ("y=2x+1", "y=2x-1", F), ("2x+1", "y=2x-1", F),
    ("x+y=1", "y=1-x", T), ("2x+2y=2", "x+y=1", T), ("x+y=1", "x-y=1", F), ("k = 5", "5", T),
    ("a=4", "4", T), ("a = 4", "5", F), ("x^2+y^2=1", "y^2+x^2=1", T), ("x^2+y^2=4", "x^2+y^2=1", F),
    ("3 = x", "3", T), ("2+3=5", "5", T), ("y = -\\frac{1}{2}x + 3", "y=3-0.5x", T),
    ("y = -\\frac{1}{2}x + 3", "y=3+0.5x", F), ("f(x) = x^2", "x^2", T),
]

TUPLES = [
    ("(1,2)", "(1, 2)", T), ("(1,2)", "(2,1)", F), ("(3, \\frac{\\pi}{2})", "\\left( 3, \\frac{\\pi}{2} \\right)", T),
    ("(3, \\frac{\\pi}{2})", "(3, \\frac{\\pi}{3})", F), ("(0.5, 2)", "(\\frac12, 2)", T), ("(1,2,3)", "(1,2)", F),
    ("(1,2)", "1, 2", T), ("(-1, 4)", "(1, -4)", F), ("(2, -3)", "\\left(2,-3\\right)", T), ("(1,2)", "[1,2]", F),
    ("(\\sqrt{2}, 1)", "(\\sqrt2,1)", T), ("(1, 2, 3)", "(3, 2, 1)", F), ("(6, 8)", "(6,8)", T),
    ("(x, y) = (1, 2)", "(1,2)", T),
]

SETS_LISTS = [
    ("\\{1,2\\}", "\\{2,1\\}", T), ("\\{1,2\\}", "\\{1,3\\}", F), ("\\{1,2,3\\}", "\\{1,2\\}", F),
    ("1, 2", "2, 1", T), ("2, 1", "1, 2", T), ("1, 2", "1, 3", F), ("1, 2, 3", "3, 1, 2", T),
    ("-2, 2", "2, -2", T), ("-2, 2", "2", F), ("2", "-2, 2", F), ("x = 1, x = 2", "1, 2", T),
    ("x=1 \\text{ or } x=2", "1, 2", T), ("1 and 2", "1, 2", T), ("\\pm 2", "2, -2", T), ("\\pm 2", "2", F),
    ("1 \\pm \\sqrt{2}", "1+\\sqrt{2}, 1-\\sqrt{2}", T), ("1 \\pm \\sqrt{2}", "1+\\sqrt{2}", F),
    ("\\{1, 2\\}", "1, 2", T), ("\\frac12, \\frac13", "\\frac13, 0.5", T), ("\\frac12, \\frac13", "\\frac12, \\frac14", F),
    ("\\emptyset", "\\varnothing", T), ("\\emptyset", "\\{0\\}", F), ("1,2,2", "1,2", F),
]

INTERVALS = [
    ("[2,5)", "[2, 5)", T), ("[2,5)", "(2,5]", F), ("[2,5)", "[2,5]", F), ("(2,5)", "[2,5]", F),
    ("x \\in [2, 5)", "[2,5)", T), ("(-\\infty, 3)", "(-\\infty,3)", T), ("(-\\infty, 3]", "(-\\infty, 3)", F),
    ("x < 3", "(-\\infty, 3)", T), ("x \\le 3", "(-\\infty, 3]", T), ("x < 3", "(-\\infty, 3]", F),
    ("x > 3", "(3, \\infty)", T), ("x \\geq 3", "[3, \\infty)", T), ("x > 3", "(-\\infty, 3)", F),
    ("2 \\le x < 5", "[2, 5)", T), ("2 < x < 5", "[2,5)", F), ("3 > x", "(-\\infty, 3)", T),
    ("(-\\infty, 1) \\cup (2, \\infty)", "(2,\\infty)\\cup(-\\infty,1)", T),
    ("(-\\infty, 1) \\cup (2, \\infty)", "(-\\infty, 1] \\cup (2, \\infty)", F), ("[0, \\infty)", "[0,\\infty)", T),
    ("(0, \\infty)", "[0, \\infty)", F), ("(-\\infty, \\infty)", "(-\\infty,\\infty)", T),
    ("x<3", "x \\le 3", F), ("x \\le 3", "x\\leq 3", T), ("[-1, \\frac{1}{2}]", "[-1, 0.5]", T),
    ("[-1, \\frac{1}{2}]", "[1, 0.5]", F), ("\\left[ 2, 5 \\right)", "[2,5)", T),
]

MATRICES = [
    ("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\pmatrix{1&2\\\\3&4}", T),
    ("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{pmatrix} 1 & 3 \\\\ 2 & 4 \\end{pmatrix}", F),
    ("\\begin{bmatrix} 1 & 0 \\\\ 0 & 1 \\end{bmatrix}", "\\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}", T),
    ("\\begin{pmatrix} \\frac12 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix} 0.5 \\\\ 2 \\end{pmatrix}", T),
    ("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix} 2 \\\\ 1 \\end{pmatrix}", F),
    ("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "(1, 2)", T),
    ("\\begin{pmatrix} 1 \\\\ 2 \\\\ 3 \\end{pmatrix}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", F),
    ("\\begin{pmatrix} -1 & 2 \\end{pmatrix}", "\\begin{pmatrix} -1 & 2 \\end{pmatrix}", T),
    ("\\begin{pmatrix} 2 & 0 \\\\ 0 & 2 \\end{pmatrix}", "\\begin{pmatrix} 2 & 0 \\\\ 0 & -2 \\end{pmatrix}", F),
]

TEXT = [
    ("\\text{Monday}", "Monday", T), ("monday", "Monday", T), ("Tuesday", "Monday", F),
    ("\\text{(C)}", "C", T), ("(C)", "C", T), ("C", "(C)", T), ("(B)", "C", F), ("\\text{B}", "C", F),
    ("\\text{even}", "even", T), ("odd", "even", F), ("\\text{yes}", "Yes", T), ("no", "yes", F),
    ("\\text{Devon}", "Devon", T), ("Evan", "Devon", F), ("\\text{East}", "\\text{ east }", T),
    ("north", "south", F), ("\\text{A, C}", "A, C", T), ("A, C", "C, A", T), ("A, B", "A, C", F),
]

RESPONSES = [
    ("Janet has 16 eggs, eats 3, bakes 4, sells 9 at $2: 9*2=18.\n#### 18", "18", T),
    ("So the total is 5 + 3 = 8.\nThe answer is 8.", "8", T),
    ("So the total is 5 + 3 = 8.\nThe answer is 8.", "9", F),
    ("Thus the area is $\\boxed{\\frac{\\sqrt{3}}{4}}$.", "\\frac{\\sqrt3}{4}", T),
    ("Thus the area is $\\boxed{\\frac{\\sqrt{3}}{4}}$.", "\\frac{\\sqrt3}{2}", F),
    ("Final Answer: The final answer is $\\frac{1}{2}$. I hope it is correct.", "0.5", T),
    ("Q: 2+2? A: The answer is 4.\nQ: 3+5? A: 3+5 = 8. The answer is 8.", "8", T),
    ("Q: 2+2? A: The answer is 4.\nQ: 3+5? A: 3+5 = 8. The answer is 8.", "4", F),
    ("Example: \\boxed{3}. Now our problem: we get \\boxed{7}.", "7", T),
    ("Example: \\boxed{3}. Now our problem: we get \\boxed{7}.", "3", F),
    ("The roots are $\\boxed{2}$ and $\\boxed{3}$.", "2, 3", T),
    ("The roots are $\\boxed{2}$ and $\\boxed{4}$.", "2, 3", F),
    ("We have \\boxed{\\left( 3, \\frac{\\pi}{2} \\right)} as the polar form.", "(3,\\frac{\\pi}{2})", T),
    ("The nested answer is \\boxed{\\frac{\\sqrt{\\frac{1}{4}}}{2}} indeed", "\\frac14", T),
    ("The answer is: 1,250 dollars per month in total", "1250", T),
    ("Therefore, the answer is **42**.", "42", T), ("After all that, x = 12.", "12", T),
    ("Putting it together the final answer is \\fbox{9} here.", "9", T),
    ("Let me compute 3 times 4 which is 12 and then add 1 so it's 13 in total", "13", T),
    ("Let me compute 3 times 4 which is 12 and then add 1 so it's 13 in total", "12", F),
]

MIXED = [
 (r"\frac{9}{4}", "2.25", T), (r"11\sqrt2", r"11 \sqrt{2}", T), (r"x^2+7x+10", "(x+2)(x+5)", T),
 (r"\left[-\frac{1}{2}, \frac{1}{2}\right]", "[-0.5, 0.5]", T), (r"\left[-\frac{1}{2}, \frac{1}{2}\right]", "(-0.5, 0.5)", F),
 (r"\{-1, 1\}", "-1, 1", T), (r"6\text{ inches}", "6", T), (r"\dfrac{1}{6}", "1/6", T), (r"\frac{1}{6}", "0.16", F),
 (r"\frac{\sqrt{2}}{2}", r"\frac{1}{\sqrt{2}}", T), (r"-\frac{\sqrt{3}}{2}", r"\frac{\sqrt{3}}{2}", F),
 (r"\text{(E)}", "E", T), (r"\text{(E)}", "D", F), ("1.50", r"\$1.5", T), (r"\$1.05", "1.5", F),
 ("5 \\sqrt{5}", "\\sqrt{125}", T), ("5 \\sqrt{5}", "\\sqrt{25}", F), (r"\frac{5}{2}", "2.5", T),
 (r"\frac{5}{2}", "2.4", F), ("10", "10.01", F), ("1000000", "10^6", T), ("999999", "10^6", F),
 (r"y^2 = 4x", r"4x = y^2", T), (r"y^2 = 4x", r"y^2 = -4x", F), ("2x - 3y = 6", "y = \\frac{2}{3}x - 2", T),
 ("2x - 3y = 6", "y = \\frac{2}{3}x + 2", F), (r"(-\infty, -2] \cup [2, \infty)", r"(-\infty,-2]\cup[2,\infty)", T),
 (r"(-\infty, -2] \cup [2, \infty)", r"(-\infty,-2)\cup(2,\infty)", F), (r"\begin{pmatrix} 3 \\ -1 \end{pmatrix}", r"\begin{pmatrix} 3 \\ 1 \end{pmatrix}", F),
 (r"\begin{pmatrix} 3 \\ -1 \end{pmatrix}", "(3,-1)", T), (r"\pi", "180^\\circ", T), (r"\frac{\pi}{4}", "45", F),
 ("45", r"45^\circ", T), (r"\sqrt{3}i", r"i\sqrt3", T), ("4", "4 \\text{ or } -4", F),
 (r"\$32", "32 dollars", T), ("32", "\\$3.20", F), ("2.5\\%", "0.025", T), ("2.5\\%", "0.25", F),
 (r"\frac{1}{4}", "25\\%", T), ("0.05", "5", F), ("5", "0.05", F), ("50", "50\\%", T),
 (r"\text{Sunday}", "Sunday", T), (r"\text{Sunday}", "Saturday", F), ("x = -1", "-1", T), ("x = -1", "1", F),
 (r"x \in (-\infty, 2) \cup (3, \infty)", r"(3,\infty)\cup(-\infty,2)", T), ("(1, 2)", "(1, 3)", F),
 ("\\frac{a}{b}", "a/b", T), ("\\frac{a}{b}", "b/a", F), ("a^2b", "ba^2", T), ("2ab", "2a+b", F),
 ("e", "2.718", T), ("2+\\sqrt{3}", "\\sqrt3+2", T), ("2-\\sqrt{3}", "\\sqrt3-2", F),
 ("1011_2", "11", F), ("12_{3}", "12", T), ("\\$ 1,234.56", "1234.56", T), ("1234.65", "1234.56", F),
 ("-5", "- 5", T), ("\\infty", "inf", T), ("\\frac{3}{7}", "\\frac{6}{14}", T), ("\\frac{3}{7}", "\\frac{7}{3}", F),
 ("8\\%", "8", T), ("80\\%", "8", F), ("\\$0.50", "50 cents", F), ("3:00", "3:00", T), ("3:00", "3:30", F),
 ("(2, 3)", "2, 3", T), ("\\left(2,3\\right)", "(2,3)", T), ("(3, 2)", "2, 3", T), ("[3,2]", "(3,2)", F),
 ("\\frac{1}{2}x+3", "0.5x + 3", T), ("\\frac{1}{2}x+3", "\\frac{1}{2}(x+3)", F),
 ("\\sqrt{x+1}", "(x+1)^{1/2}", T), ("\\sqrt{x}+1", "\\sqrt{x+1}", F), ("\\frac{x^2-1}{x-1}", "x+1", T),
 ("|{-3}|", "3", T), ("-|3|", "3", F), ("\\$12.5", "\\$12.50", T), ("12.5", "125", F),
 ("\\text{A}", "A", T), ("A", "\\text{(A)}", T), ("(A)", "(B)", F), ("x=2, y=3", "(2,3)", T), ("x=3, y=2", "(2,3)", F),
 ("\\{2\\}", "2", T), ("\\{2, 3\\}", "\\{2\\}", F), ("7 \\times 10^{-4}", "0.0007", T), ("7 \\times 10^{-4}", "0.007", F),
 ("\\frac{\\pi}{6}", "30^\\circ", T), ("100\\pi", "314.16", T), ("20\\pi", "20 \\pi", T), ("\\pi^2", "2\\pi", F),
 ("-\\frac{7}{2}", "-3.5", T), ("-\\frac{7}{2}", "3.5", F), ("\\tfrac{7}{2}", "3\\tfrac{1}{2}", T),
 ("The final answer is 10.", "10", T),
]

SAFETY_NEGATIVES = [
    ("__import__('os').system('echo hi')", "0", F), ("lambda: 1", "1", F), ("().__class__.__bases__", "0", F),
    ("exec('1')", "1", F), ("eval('2')", "2", F), ("\\input{/etc/passwd}", "0", F),
]

ALL = (
    INTEGERS + DECIMALS + SCIENTIFIC + PERCENT + FRACTIONS + RADICALS + PI_TRIG + EXPRESSIONS + COMPLEX
    + EQUATIONS + TUPLES + SETS_LISTS + INTERVALS + MATRICES + TEXT + MIXED + RESPONSES + SAFETY_NEGATIVES
)
