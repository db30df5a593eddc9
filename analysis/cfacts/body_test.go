package cfacts

import (
	"testing"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

// fnNamed returns the function called name, failing the test if absent.
func fnNamed(t *testing.T, c *facts.C, name string) facts.CFunc {
	t.Helper()
	for _, f := range c.Funcs {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no function %s in %+v", name, c.Funcs)
	return facts.CFunc{}
}

func TestCalls(t *testing.T) {
	src := `static int probe(struct platform_device *pdev)
{
	struct foo *priv = devm_kzalloc(&pdev->dev, sizeof(*priv), GFP_KERNEL);

	if (!priv)
		return -ENOMEM;
	priv->ops->start(priv, /* now */ 1);
	dev_info(&pdev->dev, "probed %s\n",
		 dev_name(&pdev->dev));
	return 0;
}
`
	got := fnNamed(t, extract(t, src), "probe").Calls
	want := []facts.CCall{
		{Name: "devm_kzalloc", Span: first(t, src, "devm_kzalloc"), Args: []string{"&pdev->dev", "sizeof(*priv)", "GFP_KERNEL"}},
		{Span: first(t, src, "priv->ops->start"), Args: []string{"priv", "1"}},
		{Name: "dev_info", Span: first(t, src, "dev_info"), Args: []string{"&pdev->dev", `"probed %s\n"`, "dev_name(&pdev->dev)"}},
		{Name: "dev_name", Span: first(t, src, "dev_name"), Args: []string{"&pdev->dev"}},
	}
	diff(t, "Calls", want, got)
}

func TestReturnsErrPtr(t *testing.T) {
	src := `struct clk *direct(struct device *dev)
{
	if (!dev)
		return ERR_PTR(-EINVAL);
	return __clk_get(dev);
}

struct clk *via_variable(struct device *dev)
{
	struct clk *clk;
	int ret = 0;

	clk = lookup(dev);
	if (!clk)
		clk = ERR_CAST(other);
	return clk;
}

struct clk *initialised(void)
{
	struct clk *clk = ERR_PTR(-ENODEV);

	return clk;
}

void *conditional(int err, void *p)
{
	return err ? ERR_PTR(err) : (void *)p;
}

long not_returned(void)
{
	void *p = ERR_PTR(-ENOMEM);

	return PTR_ERR(p);
}
`
	c := extract(t, src)
	tests := []struct {
		name string
		want facts.CBody
	}{
		{"direct", facts.CBody{ReturnsErrPtr: true, ErrPtrSpan: first(t, src, "ERR_PTR(-EINVAL)"), ReturnedCalls: []string{"ERR_PTR", "__clk_get"}}},
		{"via_variable", facts.CBody{ReturnsErrPtr: true, ErrPtrSpan: first(t, src, "ERR_CAST(other)")}},
		{"initialised", facts.CBody{ReturnsErrPtr: true, ErrPtrSpan: first(t, src, "ERR_PTR(-ENODEV)")}},
		{"conditional", facts.CBody{ReturnsErrPtr: true, ErrPtrSpan: first(t, src, "ERR_PTR(err)"), ReturnedCalls: []string{"ERR_PTR"}}},
		{"not_returned", facts.CBody{ReturnedCalls: []string{"PTR_ERR"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diff(t, "Body", &tt.want, fnNamed(t, c, tt.name).Body)
		})
	}
}

func TestReturnsNull(t *testing.T) {
	src := `struct page *null_macro(void) { return NULL; }
void *zero_pointer(void) { return (0); }
int zero_int(void) { return 0; }
void *never(void *p) { return p; }
void *cast_zero(void) { return (void *)0; }
`
	c := extract(t, src)
	for name, want := range map[string]bool{"null_macro": true, "zero_pointer": true, "zero_int": false, "never": false, "cast_zero": true} {
		if got := fnNamed(t, c, name).Body.ReturnsNull; got != want {
			t.Errorf("%s: ReturnsNull = %v, want %v", name, got, want)
		}
	}
}

func TestSleeps(t *testing.T) {
	src := `void sleepy(struct foo *f)
{
	might_sleep();
	mutex_lock(&f->lock);
	mutex_lock(&f->other); /* reported once */
	msleep(10);
	usleep_range(100, 200);
	wait_event_interruptible(f->wq, f->done);
	wait_for_completion_timeout(&f->c, HZ);
	down_read(&f->sem);
	schedule_timeout_uninterruptible(1);
	cond_resched();
	f->buf = kmalloc(f->len, GFP_KERNEL | __GFP_ZERO);
	guard(mutex)(&f->lock);
}

void atomic_only(struct foo *f)
{
	gfp_t gfp = GFP_KERNEL;

	spin_lock(&f->slock);
	mutex_trylock(&f->lock);
	down_read_trylock(&f->sem);
	downgrade_write(&f->sem);
	schedule_work(&f->work);
	f->buf = kmalloc(f->len, GFP_ATOMIC);
	kfree(f->buf, gfp);
	guard(spinlock)(&f->slock);
}
`
	c := extract(t, src)
	ev := func(what, needle string) facts.Evidence {
		return facts.Evidence{What: what, Span: first(t, src, needle)}
	}
	want := []facts.Evidence{
		ev("might_sleep", "might_sleep"),
		ev("mutex_lock", "mutex_lock"),
		ev("msleep", "msleep"),
		ev("usleep_range", "usleep_range"),
		ev("wait_event_interruptible", "wait_event_interruptible"),
		ev("wait_for_completion_timeout", "wait_for_completion_timeout"),
		ev("down_read", "down_read"),
		ev("schedule_timeout_uninterruptible", "schedule_timeout_uninterruptible"),
		ev("cond_resched", "cond_resched"),
		ev("GFP_KERNEL", "GFP_KERNEL"),
		ev("guard(mutex)", "guard"),
	}
	diff(t, "sleepy", want, fnNamed(t, c, "sleepy").Body.Sleeps)
	diff(t, "atomic_only", []facts.Evidence(nil), fnNamed(t, c, "atomic_only").Body.Sleeps)
}

func TestStores(t *testing.T) {
	src := `static struct notifier_block *saved;

int keep(struct notifier_block *nb, struct device *dev, void *data, struct list_head *head)
{
	struct foo *local = NULL;
	static void *cache;
	void *tmp;

	saved = nb;
	tmp = data;
	cache = data;
	local = (void *)dev;
	list_add_tail(&nb->list, head);
	list_add(&local->node, &dev->children);
	dev->platform_data = data;
	dev->parent = (struct device *)dev;
	return xa_store(&xa, 1, data, GFP_ATOMIC);
}
`
	c := extract(t, src)
	st := func(param int, into, needle string) facts.ParamStore {
		return facts.ParamStore{Param: param, Into: into, Span: first(t, src, needle)}
	}
	want := []facts.ParamStore{
		st(0, "global", "saved = nb"),
		st(2, "global", "cache = data"),
		st(0, "list", "list_add_tail(&nb->list, head)"),
		st(2, "field", "dev->platform_data = data"),
		st(2, "list", "xa_store(&xa, 1, data, GFP_ATOMIC)"),
	}
	diff(t, "Stores", want, fnNamed(t, c, "keep").Body.Stores)
}

func TestKrefPuts(t *testing.T) {
	src := `void put_thing(struct thing *t)
{
	if (t)
		kref_put(&t->kref, thing_release);
	kref_put_mutex(&t->kref, thing_release_locked, &thing_lock);
}
`
	want := []facts.Evidence{
		{What: "thing_release", Span: at(t, src, "thing_release", 1)},
		{What: "thing_release_locked", Span: first(t, src, "thing_release_locked")},
	}
	diff(t, "KrefPuts", want, fnNamed(t, extract(t, src), "put_thing").Body.KrefPuts)
}

func TestPrototypeHasNoBody(t *testing.T) {
	f := fnNamed(t, extract(t, "int foo(void);"), "foo")
	if f.Body != nil || f.Calls != nil || f.Definition {
		t.Errorf("prototype = %+v, want no body, calls or definition", f)
	}
}
