package ownership

import (
	"slices"
	"strings"
	"testing"
)

// Each case is one small Rust file and every event the tracker must find
// in it (leaks, releases with their prior state, locks held on some exits,
// sleeps under atomic sections, kept pointers, owner stores), as rendered
// by events: the list is complete, so a case also asserts silence.
var trackerCases = []struct {
	name string
	src  string
	want []string
}{
	{
		name: "leak on ?",
		src: `fn f(dev: &Device) -> Result {
    let raw = unsafe { bindings::get_device(dev.as_raw()) };
    check(dev)?;
    unsafe { bindings::put_device(raw) };
    Ok(())
}`,
		want: []string{"leak get_device@2 at ?@3", "release put_device@4 of get_device prior=owned"},
	},
	{
		name: "ARef owns before ?",
		src: `fn f(dev: &Device) -> Result<ARef<Device>> {
    let raw = unsafe { bindings::get_device(dev.as_raw()) };
    let owned = unsafe { ARef::from_raw(NonNull::new_unchecked(raw.cast::<Device>())) };
    check(&owned)?;
    Ok(owned)
}`,
	},
	{
		name: "release after handing to an owner",
		src: `fn f(dev: &Device) -> ARef<Device> {
    let raw = unsafe { bindings::get_device(dev.as_raw()) };
    let owned = unsafe { ARef::from_raw(NonNull::new_unchecked(raw.cast())) };
    unsafe { bindings::put_device(raw) };
    owned
}`,
		want: []string{"release put_device@4 of get_device prior=owner"},
	},
	{
		name: "null check returns before anything is owned",
		src: `fn f() -> Result {
    let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
    if buf.is_null() {
        return Err(ENOMEM);
    }
    unsafe { bindings::kfree(buf) };
    Ok(())
}`,
		want: []string{"release kfree@6 of kmalloc prior=owned"},
	},
	{
		name: "negated null check",
		src: `fn f() {
    let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
    if !buf.is_null() {
        unsafe { bindings::kfree(buf) };
    }
}`,
		want: []string{"release kfree@4 of kmalloc prior=owned"},
	},
	{
		name: "missed release on one branch",
		src: `fn f(c: bool) -> Result {
    let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
    if buf.is_null() {
        return Err(ENOMEM);
    }
    if c {
        return Err(EINVAL);
    }
    unsafe { bindings::kfree(buf) };
    Ok(())
}`,
		want: []string{"leak kmalloc@2 at return@7", "release kfree@9 of kmalloc prior=owned"},
	},
	{
		name: "released on one path then again",
		src: `fn f(fail: bool) {
    let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
    if fail {
        unsafe { bindings::kfree(buf) };
    }
    unsafe { bindings::kfree(buf) };
}`,
		want: []string{"release kfree@4 of kmalloc prior=owned", "release kfree@6 of kmalloc prior=owned|released"},
	},
	{
		name: "released path returns",
		src: `fn f(fail: bool) -> Result {
    let buf = unsafe { bindings::kmalloc(64, bindings::GFP_KERNEL) };
    if fail {
        unsafe { bindings::kfree(buf) };
        return Err(EINVAL);
    }
    unsafe { bindings::kfree(buf) };
    Ok(())
}`,
		want: []string{"release kfree@4 of kmalloc prior=owned", "release kfree@7 of kmalloc prior=owned"},
	},
	{
		name: "returned values are the caller's",
		src: `fn a() -> *mut c_void { unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) } }
fn b() -> Result<*mut c_void> {
    let p = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };
    if p.is_null() { return Err(ENOMEM); }
    Ok(p)
}
fn c() -> Option<NonNull<c_void>> {
    let p = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };
    NonNull::new(p)
}
fn d() -> *mut c_void {
    let p = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };
    return p.cast();
}`,
	},
	{
		name: "from_err_ptr with ?",
		src: `fn f(dev: &Device) -> Result {
    let clk = from_err_ptr(unsafe { bindings::clk_get(dev.as_raw(), ptr::null()) })?;
    to_result(unsafe { bindings::clk_prepare(clk) })?;
    unsafe { bindings::clk_put(clk) };
    Ok(())
}`,
		want: []string{"leak clk_get@2 at ?@3", "release clk_put@4 of clk_get prior=owned"},
	},
	{
		name: "let else and if let bind through NonNull",
		src: `fn f() -> Result {
    let raw = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };
    let Some(p) = NonNull::new(raw) else { return Err(ENOMEM) };
    unsafe { bindings::kfree(p.as_ptr()) };
    Ok(())
}
fn g() {
    let raw = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };
    if let Some(p) = NonNull::new(raw) {
        unsafe { bindings::kfree(p.as_ptr()) };
    }
}`,
		want: []string{"release kfree@10 of kmalloc prior=owned", "release kfree@4 of kmalloc prior=owned"},
	},
	{
		name: "match arms",
		src: `fn f(dev: &Device) -> Result {
    let clk = match from_err_ptr(unsafe { bindings::clk_get(dev.as_raw(), ptr::null()) }) {
        Ok(c) => c,
        Err(e) => return Err(e),
    };
    match check(dev) {
        Ok(()) => {}
        Err(e) => return Err(e),
    }
    unsafe { bindings::clk_put(clk) };
    Ok(())
}`,
		want: []string{"leak clk_get@2 at return@8", "release clk_put@10 of clk_get prior=owned"},
	},
	{
		name: "shadowing keeps the resource",
		src: `fn f() {
    let p = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };
    let p = p.cast::<u8>();
    unsafe { bindings::kfree(p.cast()) };
}`,
		want: []string{"release kfree@4 of kmalloc prior=owned"},
	},
	{
		name: "tuple patterns and unknown calls end tracking",
		src: `fn f() -> Result {
    let (a, b) = (unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) }, 1);
    check()?;
    let c = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };
    keep_it(c);
    check()?;
    let d = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };
    look_at(&d);
    check()?;
    unsafe { bindings::kfree(d) };
    Ok(())
}`,
		want: []string{"leak kmalloc@7 at ?@9", "release kfree@10 of kmalloc prior=owned"},
	},
	{
		name: "closures and macros capture",
		src: `fn f() -> Result {
    let p = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };
    let cleanup = move || unsafe { bindings::kfree(p) };
    check()?;
    let q = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };
    stash!(q);
    check()?;
    let r = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };
    pr_info!("{:?}\n", r);
    check()?;
    Ok(())
}`,
		// The closure is its own function: it does not know p.
		want: []string{"leak kmalloc@8 at ?@10"},
	},
	{
		name: "loops run once and exit",
		src: `fn f(n: usize) -> Result {
    for _ in 0..n {
        let p = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };
        if p.is_null() {
            break;
        }
        unsafe { bindings::kfree(p) };
    }
    loop {
        let q = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };
        if q.is_null() {
            continue;
        }
        if done() {
            break;
        }
        unsafe { bindings::kfree(q) };
    }
    Ok(())
}`,
		want: []string{
			"leak kmalloc@10 at end of function@20",
			"release kfree@17 of kmalloc prior=owned",
			"release kfree@7 of kmalloc prior=owned",
		},
	},
	{
		name: "early return from a loop",
		src: `fn f(items: &[u32]) -> Result {
    let p = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };
    if p.is_null() { return Err(ENOMEM); }
    for i in items {
        if *i == 0 {
            return Err(EINVAL);
        }
    }
    unsafe { bindings::kfree(p) };
    Ok(())
}`,
		want: []string{"leak kmalloc@2 at return@6", "release kfree@9 of kmalloc prior=owned"},
	},
	{
		name: "panics are not exits",
		src: `fn f() {
    let p = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };
    if p.is_null() { panic!("no memory"); }
    if bad() { unreachable!() }
    unsafe { bindings::kfree(p) };
}`,
		want: []string{"release kfree@5 of kmalloc prior=owned"},
	},
	{
		name: "borrowed parameters, fields and returns",
		src: `fn f(dev: &Device) {
    unsafe { bindings::put_device(dev.as_raw()) };
}
fn g(dev: *mut bindings::device) {
    unsafe { bindings::put_device(dev) };
}
impl Foo {
    fn h(&self) {
        unsafe { bindings::kfree(self.buf.cast()) };
    }
    fn i(&mut self) {
        unsafe { bindings::kfree(self.buf.cast()) };
    }
}
fn j(dev: *mut bindings::device) {
    let data = unsafe { bindings::dev_get_drvdata(dev) };
    unsafe { bindings::kfree(data) };
}`,
		want: []string{
			"release kfree@17 of borrowed prior=owned",
			"release kfree@9 of borrowed prior=owned",
			"release put_device@2 of borrowed prior=owned",
		},
	},
	{
		name: "devm memory",
		src: `fn f(dev: &Device) -> Result {
    let buf = unsafe { bindings::devm_kmalloc(dev.as_raw(), 64, bindings::GFP_KERNEL) };
    if buf.is_null() { return Err(ENOMEM); }
    check()?;
    unsafe { bindings::devm_kfree(dev.as_raw(), buf) };
    Ok(())
}`,
		want: []string{"release devm_kfree@5 of devm_kmalloc(devm) prior=owned"},
	},
	{
		name: "raw spinlock held on an early return",
		src: `unsafe fn bump(lock: *mut bindings::spinlock_t, count: &mut u32) -> Result {
    unsafe { bindings::spin_lock(lock) };
    if *count == 0 {
        return Err(EBUSY);
    }
    unsafe { bindings::spin_unlock(lock) };
    Ok(())
}
unsafe fn lock_only(lock: *mut bindings::spinlock_t) {
    unsafe { bindings::spin_lock(lock) };
}
unsafe fn unlock_only(lock: *mut bindings::spinlock_t) {
    unsafe { bindings::spin_unlock(lock) };
}`,
		want: []string{
			"held spin_lock@10 at end of function@11 (never released)",
			"held spin_lock@2 at return@4",
			"release spin_unlock@6 of spin_lock prior=owned",
		},
	},
	{
		name: "double unlock",
		src: `unsafe fn reset(lock: *mut bindings::spinlock_t) {
    unsafe { bindings::spin_lock(&raw mut (*lock)) };
    unsafe { bindings::spin_unlock(&raw mut (*lock)) };
    unsafe { bindings::spin_unlock(&raw mut (*lock)) };
}`,
		want: []string{"release spin_unlock@3 of spin_lock prior=owned", "release spin_unlock@4 of spin_lock prior=released"},
	},
	{
		name: "sleep under a raw spinlock, not under a mutex",
		src: `unsafe fn f(lock: *mut bindings::spinlock_t, m: *mut bindings::mutex) {
    unsafe { bindings::spin_lock(lock) };
    unsafe { bindings::msleep(1) };
    let a = unsafe { bindings::kmalloc(8, bindings::GFP_ATOMIC) };
    let b = KBox::new(0u32, GFP_KERNEL);
    unsafe { bindings::spin_unlock(lock) };
    unsafe { bindings::msleep(1) };
    unsafe { bindings::mutex_lock(m) };
    unsafe { bindings::msleep(1) };
    unsafe { bindings::mutex_unlock(m) };
}`,
		want: []string{
			"leak kmalloc@4 at end of function@11",
			"release mutex_unlock@10 of mutex_lock prior=owned",
			"release spin_unlock@6 of spin_lock prior=owned",
			"sleep KBox::new@5 GFP_KERNEL under spin_lock@2",
			"sleep msleep@3 under spin_lock@2",
		},
	},
	{
		name: "sleep only when the lock is held on every path",
		src: `unsafe fn f(lock: *mut bindings::spinlock_t, c: bool) {
    if c {
        unsafe { bindings::spin_lock(lock) };
    }
    unsafe { bindings::msleep(1) };
    if c {
        unsafe { bindings::spin_unlock(lock) };
    }
}`,
		want: []string{"release spin_unlock@7 of spin_lock prior=owned|none"},
	},
	{
		name: "rcu section",
		src: `fn f() {
    unsafe { bindings::rcu_read_lock() };
    unsafe { bindings::msleep(1) };
    unsafe { bindings::rcu_read_unlock() };
    unsafe { bindings::msleep(1) };
}`,
		want: []string{"release rcu_read_unlock@4 of rcu_read_lock prior=owned", "sleep msleep@3 under rcu_read_lock@2"},
	},
	{
		name: "Rust spinlock guards until scope end or drop",
		src: `struct Dev {
    inner: SpinLock<Inner>,
    m: Mutex<u32>,
}
impl Dev {
    fn a(&self) {
        let g = self.inner.lock();
        unsafe { bindings::msleep(1) };
    }
    fn b(&self) {
        let g = self.inner.lock();
        drop(g);
        unsafe { bindings::msleep(1) };
    }
    fn c(&self) {
        {
            let _g = self.inner.lock();
        }
        unsafe { bindings::msleep(1) };
        let _ = self.inner.lock();
        unsafe { bindings::msleep(1) };
    }
    fn d(&self) {
        let _g = self.m.lock();
        unsafe { bindings::msleep(1) };
    }
}
fn e(l: &SpinLock<u32>) {
    let g = l.lock();
    let v = KVec::with_capacity(8, GFP_KERNEL);
}`,
		want: []string{"sleep KVec::with_capacity@30 GFP_KERNEL under guard@29", "sleep msleep@8 under guard@7"},
	},
	{
		name: "registration of stack locals and unpinned fields",
		src: `struct Holder { misc: bindings::miscdevice }
static MISC: StaticMisc = StaticMisc(Opaque::zeroed());
fn a() -> Result {
    let mut misc: bindings::miscdevice = unsafe { core::mem::zeroed() };
    to_result(unsafe { bindings::misc_register(&mut misc) })
}
impl Holder {
    fn b(&mut self) -> Result {
        to_result(unsafe { bindings::misc_register(&mut self.misc) })
    }
    fn c(self: Pin<&mut Self>) -> Result {
        to_result(unsafe { bindings::misc_register(&raw mut self.misc) })
    }
    fn d(&mut self) -> Result {
        to_result(unsafe { bindings::misc_register(core::ptr::addr_of_mut!(self.misc)) })
    }
}
fn e() -> Result {
    to_result(unsafe { bindings::misc_register(MISC.0.get()) })
}
fn f(b: &mut KBox<Holder>) -> Result {
    let h = KBox::new(Holder::default(), GFP_KERNEL)?;
    to_result(unsafe { bindings::misc_register(&mut (*b).misc) })?;
    to_result(unsafe { bindings::misc_register(ptr::from_mut(&mut h.misc)) })
}`,
		want: []string{
			"keep misc_register@15 arg0: `self.misc`, in a `self` that is not pinned (`&mut self`) and may move after the call",
			"keep misc_register@5 arg0: stack local `misc`, which dies when the function returns",
			"keep misc_register@9 arg0: `self.misc`, in a `self` that is not pinned (`&mut self`) and may move after the call",
		},
	},
	{
		name: "owner type: constructor and Drop",
		src: `pub struct PreparedClk { clk: *mut bindings::clk }
impl PreparedClk {
    pub fn new(dev: &Device) -> Result<Self> {
        let clk = from_err_ptr(unsafe { bindings::clk_get(dev.as_raw(), ptr::null()) })?;
        to_result(unsafe { bindings::clk_prepare(clk) })?;
        Ok(Self { clk })
    }
    pub fn set(&mut self, dev: &Device) {
        let clk = unsafe { bindings::clk_get(dev.as_raw(), ptr::null()) };
        self.clk = clk;
        unsafe { bindings::clk_put(clk) };
    }
}
impl Drop for PreparedClk {
    fn drop(&mut self) {
        unsafe { bindings::clk_put(self.clk) };
    }
}
pub struct Tuple(*mut bindings::clk);
impl Tuple {
    pub fn new(dev: &Device) -> Result<Self> {
        Ok(Self(from_err_ptr(unsafe { bindings::clk_get(dev.as_raw(), ptr::null()) })?))
    }
}
impl Drop for Tuple {
    fn drop(&mut self) {
        unsafe { bindings::kfree(self.as_raw().cast()) };
    }
}
pub struct NoDrop { buf: *mut c_void }
impl NoDrop {
    pub fn new() -> Self {
        Self { buf: unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) } }
    }
}`,
		want: []string{
			"leak clk_get@4 at ?@5",
			"owner NoDrop.buf of kmalloc@33 release= handled=false",
			"owner PreparedClk.clk of clk_get@4 release=clk_put handled=false",
			"owner PreparedClk.clk of clk_get@9 release=clk_put handled=false",
			"owner Tuple.0 of clk_get@22 release=kfree handled=false",
			"release clk_put@11 of clk_get prior=owner",
		},
	},
	{
		name: "Drop releases through accessors",
		src: `pub struct Entry { entry: *mut bindings::dentry, parent: Option<Arc<Entry>> }
impl Entry {
    fn new(name: &CStr) -> Self {
        let entry = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };
        Entry { entry, parent: None }
    }
    fn as_ptr(&self) -> *mut bindings::dentry { self.entry }
}
impl Drop for Entry {
    fn drop(&mut self) {
        unsafe { bindings::kfree(self.as_ptr().cast()) }
    }
}
pub struct Table { ptr: NonNull<bindings::ops>, cfg: u32 }
impl Table {
    fn new() -> Result<Self> {
        let ops = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };
        Ok(Table { ptr: NonNull::new(ops).ok_or(ENOMEM)?, cfg: 0 })
    }
}
impl Drop for Table {
    fn drop(&mut self) {
        unsafe { bindings::kfree(ops_of(self)) };
    }
}`,
		want: []string{
			"owner Entry.entry of kmalloc@4 release=kfree handled=false",
			"owner Table.ptr of kmalloc@17 release= handled=true",
		},
	},
	{
		name: "what Drop does with a field",
		src: `pub struct Checked { buf: *mut c_void }
impl Checked {
    fn new() -> Self {
        let buf = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };
        let this = Self { buf };
        unsafe { bindings::kfree(buf) };
        this
    }
}
impl Drop for Checked {
    fn drop(&mut self) {
        if !self.buf.is_null() {
            unsafe { bindings::kfree(self.buf) };
        }
    }
}
pub struct Handed { buf: *mut c_void }
impl Handed {
    fn new() -> Self {
        Self { buf: unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) } }
    }
}
impl Drop for Handed {
    fn drop(&mut self) {
        free_later(self.buf);
    }
}
pub struct Wrong { buf: *mut c_void }
impl Wrong {
    fn new() -> Self {
        let buf = unsafe { bindings::kmalloc(8, bindings::GFP_KERNEL) };
        let this = Self { buf };
        unsafe { bindings::kfree(buf) };
        this
    }
}
impl Drop for Wrong {
    fn drop(&mut self) {
        unsafe { bindings::vfree(self.buf) };
    }
}`,
		want: []string{
			"owner Checked.buf of kmalloc@4 release=kfree handled=false",
			"owner Handed.buf of kmalloc@20 release= handled=true",
			"owner Wrong.buf of kmalloc@31 release=vfree handled=false",
			// Wrong's Drop does not release what kmalloc returns, so
			// the struct is no owner of it: the kfree after the store is
			// not a second release.
			"release kfree@33 of kmalloc prior=escaped",
			"release kfree@6 of kmalloc prior=owner",
		},
	},
}

func TestTracker(t *testing.T) {
	for _, c := range trackerCases {
		t.Run(c.name, func(t *testing.T) {
			got := events(c.src, analyze(t, c.src))
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("events differ\ngot:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
			}
		})
	}
}
