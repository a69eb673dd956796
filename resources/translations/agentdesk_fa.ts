<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fa">
<context>
    <name>AgentBar</name>
    <message>
        <source>missed call</source>
        <translation>تماس بی‌پاسخ</translation>
    </message>
    <message>
        <source>Paused: %1</source>
        <translation>متوقف: %1</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>متوقف</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>آماده</translation>
    </message>
    <message>
        <source>Ringing</source>
        <translation>در حال زنگ</translation>
    </message>
    <message>
        <source>On call</source>
        <translation>در تماس</translation>
    </message>
    <message>
        <source>Logged out</source>
        <translation>خارج از صف</translation>
    </message>
    <message>
        <source>Phone unavailable</source>
        <translation>تلفن در دسترس نیست</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>متصل نیست</translation>
    </message>
    <message>
        <source>End the pause and take calls (Ctrl+R)</source>
        <translation>پایان توقف و دریافت تماس (Ctrl+R)</translation>
    </message>
    <message>
        <source>Pause…</source>
        <translation>توقف…</translation>
    </message>
    <message>
        <source>Take no queue calls for a while (Ctrl+P)</source>
        <translation>مدتی تماس صف دریافت نشود (Ctrl+P)</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>در حال ارسال…</translation>
    </message>
    <message>
        <source>Paused: you missed a call — press Ready when you are back</source>
        <translation>متوقف: یک تماس را بی‌پاسخ گذاشتید — پس از بازگشت، «آماده» را بزنید</translation>
    </message>
    <message>
        <source>No queues</source>
        <translation>بدون صف</translation>
    </message>
    <message>
        <source>The directory lists no queue for you to join; a team lead can change that.</source>
        <translation>در فهرست، صفی برای پیوستن شما ثبت نشده است؛ سرپرست می‌تواند این را تغییر دهد.</translation>
    </message>
    <message>
        <source>Logged in to %1: click to log out (the directory does not list it for you, so you cannot join it again)</source>
        <translation>وارد %1 هستید: برای خروج کلیک کنید (این صف در فهرست برای شما ثبت نشده است، پس نمی‌توانید دوباره به آن بپیوندید)</translation>
    </message>
    <message>
        <source>Logged in to %1: click to log out</source>
        <translation>وارد %1 هستید: برای خروج کلیک کنید</translation>
    </message>
    <message>
        <source>Not in %1: click to log in</source>
        <translation>در %1 نیستید: برای ورود کلیک کنید</translation>
    </message>
</context>
<context>
    <name>AgentBoard</name>
    <message>
        <source>Listen</source>
        <translation>شنود</translation>
    </message>
    <message>
        <source>Whisper</source>
        <translation>نجوا</translation>
    </message>
    <message>
        <source>Barge</source>
        <translation>ورود به تماس</translation>
    </message>
    <message>
        <source>Pause…</source>
        <translation>توقف…</translation>
    </message>
    <message>
        <source>Make ready</source>
        <translation>تغییر به آماده</translation>
    </message>
    <message>
        <source>Pause after this call…</source>
        <translation>توقف پس از این تماس…</translation>
    </message>
    <message>
        <source>Queues and penalty…</source>
        <translation>صف‌ها و پنالتی…</translation>
    </message>
</context>
<context>
    <name>AuditView</name>
    <message>
        <source>Agent (extension)</source>
        <translation>کارشناس (داخلی)</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>نمایش</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>زمان</translation>
    </message>
    <message>
        <source>Team lead</source>
        <translation>سرپرست</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>اقدام</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>کارشناس</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>جزئیات</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>نتیجه</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>موفق</translation>
    </message>
</context>
<context>
    <name>CallCard</name>
    <message>
        <source>On hold</source>
        <translation>در انتظار</translation>
    </message>
    <message>
        <source>Held by the other party</source>
        <translation>در انتظار از سوی طرف مقابل</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>متصل</translation>
    </message>
    <message>
        <source>Calling…</source>
        <translation>در حال تماس…</translation>
    </message>
    <message>
        <source>Ringing…</source>
        <translation>در حال زنگ خوردن…</translation>
    </message>
    <message>
        <source>Incoming call</source>
        <translation>تماس ورودی</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>در حال اتصال…</translation>
    </message>
    <message>
        <source>Call ended</source>
        <translation>تماس پایان یافت</translation>
    </message>
    <message>
        <source>Conference: hang up to leave, the others stay connected</source>
        <translation>کنفرانس: برای خروج قطع کنید؛ بقیه متصل می‌مانند</translation>
    </message>
    <message>
        <source>consulting; hang up to go back to the caller</source>
        <translation>در حال مشورت؛ برای بازگشت به تماس‌گیرنده قطع کنید</translation>
    </message>
    <message>
        <source>Unknown caller</source>
        <translation>تماس‌گیرندهٔ ناشناس</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>پاسخ</translation>
    </message>
    <message>
        <source>Answer (F5)</source>
        <translation>پاسخ (F5)</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>رد کردن</translation>
    </message>
    <message>
        <source>Decline (F6)</source>
        <translation>رد کردن (F6)</translation>
    </message>
    <message>
        <source>Hold</source>
        <translation>نگه‌داشتن</translation>
    </message>
    <message>
        <source>Hold / resume (F8)</source>
        <translation>نگه‌داشتن / ادامه (F8)</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>بی‌صدا</translation>
    </message>
    <message>
        <source>Mute the microphone (F9)</source>
        <translation>بی‌صدا کردن میکروفون (F9)</translation>
    </message>
    <message>
        <source>Switch here</source>
        <translation>رفتن به این تماس</translation>
    </message>
    <message>
        <source>Talk on this call; the other goes on hold (F7)</source>
        <translation>صحبت در این تماس؛ تماس دیگر در انتظار می‌ماند (F7)</translation>
    </message>
    <message>
        <source>Transfer</source>
        <translation>انتقال</translation>
    </message>
    <message>
        <source>Transfer the call, or talk to someone first (F10)</source>
        <translation>انتقال تماس، یا ابتدا مشورت با کسی (F10)</translation>
    </message>
    <message>
        <source>Complete transfer</source>
        <translation>تکمیل انتقال</translation>
    </message>
    <message>
        <source>Join this caller with your other call and drop out (F11)</source>
        <translation>وصل کردن این تماس‌گیرنده به تماس دیگرتان و خروج خودتان (F11)</translation>
    </message>
    <message>
        <source>Conference</source>
        <translation>کنفرانس</translation>
    </message>
    <message>
        <source>Talk with this caller and your other call together (F12)</source>
        <translation>صحبت هم‌زمان با این تماس‌گیرنده و تماس دیگرتان (F12)</translation>
    </message>
    <message>
        <source>Survey</source>
        <translation>نظرسنجی</translation>
    </message>
    <message>
        <source>Transfer the caller to the satisfaction survey (Ctrl+F10)</source>
        <translation>انتقال تماس‌گیرنده به نظرسنجی رضایت (Ctrl+F10)</translation>
    </message>
    <message>
        <source>Keypad</source>
        <translation>صفحه‌کلید</translation>
    </message>
    <message>
        <source>Hang up</source>
        <translation>قطع تماس</translation>
    </message>
    <message>
        <source>Hang up (F4)</source>
        <translation>قطع تماس (F4)</translation>
    </message>
    <message>
        <source>Call from the %1 queue</source>
        <translation>تماس از صف %1</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>ادامه</translation>
    </message>
    <message>
        <source>Unmute</source>
        <translation>باصدا</translation>
    </message>
</context>
<context>
    <name>CallQuality</name>
    <message>
        <source>Good</source>
        <translation>خوب</translation>
    </message>
    <message>
        <source>Fair</source>
        <translation>متوسط</translation>
    </message>
    <message>
        <source>Poor</source>
        <translation>ضعیف</translation>
    </message>
    <message>
        <source>packet loss %1 % towards the other party</source>
        <translation>افت بسته %1 ٪ به سمت طرف مقابل</translation>
    </message>
    <message>
        <source>packet loss %1 %</source>
        <translation>افت بسته %1 ٪</translation>
    </message>
    <message>
        <source>high delay (%1 ms round trip)</source>
        <translation>تأخیر زیاد (%1 میلی‌ثانیه رفت و برگشت)</translation>
    </message>
    <message>
        <source>jitter %1 ms towards the other party</source>
        <translation>لرزش %1 میلی‌ثانیه به سمت طرف مقابل</translation>
    </message>
    <message>
        <source>jitter %1 ms</source>
        <translation>لرزش %1 میلی‌ثانیه</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1، %2</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>نامعلوم</translation>
    </message>
    <message>
        <source>Call quality: %1 (estimated MOS %2 of 4.5)</source>
        <translation>کیفیت تماس: %1 (MOS تخمینی %2 از 4.5)</translation>
    </message>
    <message>
        <source>Packet loss: %1 % to you, %2 to the other party</source>
        <translation>افت بسته: %1 ٪ به سمت شما، %2 به سمت طرف مقابل</translation>
    </message>
    <message>
        <source>Jitter: %1 ms · round trip: %2</source>
        <translation>لرزش: %1 میلی‌ثانیه · رفت و برگشت: %2</translation>
    </message>
    <message>
        <source>Codec: %1 · transport: %2 · encrypted audio: %3</source>
        <translation>کدک: %1 · انتقال: %2 · صدای رمزشده: %3</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>بله</translation>
    </message>
    <message>
        <source>no</source>
        <translation>خیر</translation>
    </message>
</context>
<context>
    <name>CallbackClient</name>
    <message>
        <source>The desk service sent unreadable callback data</source>
        <translation>سرویس میز کار داده‌های ناخوانای تماس برگشتی فرستاد</translation>
    </message>
</context>
<context>
    <name>CallbackDesk</name>
    <message>
        <source>Finish your call before calling a customer back.</source>
        <translation>پیش از تماس برگشتی با مشتری، تماس فعلی خود را تمام کنید.</translation>
    </message>
    <message>
        <source>The task&apos;s details did not load: %1</source>
        <translation>جزئیات درخواست بارگذاری نشد: %1</translation>
    </message>
    <message>
        <source>The callback could not be dialled (%1); the task is released.</source>
        <translation>شماره‌گیری تماس برگشتی ممکن نشد (%1)؛ درخواست رها شد.</translation>
    </message>
    <message>
        <source>Callback scheduled: %1 at %2</source>
        <translation>تماس برگشتی برنامه‌ریزی شد: %1، %2</translation>
    </message>
</context>
<context>
    <name>CallbackListPanel</name>
    <message>
        <source>Filter: number, name, topic, notes (Ctrl+F)</source>
        <translation>فیلتر: شماره، نام، موضوع، یادداشت‌ها (Ctrl+F)</translation>
    </message>
    <message>
        <source>All open</source>
        <translation>همهٔ موارد باز</translation>
    </message>
    <message>
        <source>Due now</source>
        <translation>موعد رسیده</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>گذشته از موعد</translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation>برنامه‌ریزی‌شده</translation>
    </message>
    <message>
        <source>All queues</source>
        <translation>همهٔ صف‌ها</translation>
    </message>
    <message>
        <source>Call now</source>
        <translation>تماس فوری</translation>
    </message>
    <message>
        <source>Reschedule…</source>
        <translation>زمان‌بندی دوباره…</translation>
    </message>
    <message>
        <source>Release (I will not call now)</source>
        <translation>رها کردن (اکنون تماس نمی‌گیرم)</translation>
    </message>
    <message>
        <source>Copy number</source>
        <translation>کپی شماره</translation>
    </message>
    <message>
        <source>%1 tasks</source>
        <translation>%1 درخواست</translation>
    </message>
    <message>
        <source>%1 of %2 tasks</source>
        <translation>%1 از %2 درخواست</translation>
    </message>
</context>
<context>
    <name>CallbackOutcomes</name>
    <message>
        <source>%1 did not answer (%2); the attempt is recorded.</source>
        <translation>%1 پاسخ نداد (%2)؛ این تلاش ثبت شد.</translation>
    </message>
    <message>
        <source>The callback to %1 needs no outcome from you any more.</source>
        <translation>تماس برگشتی با %1 دیگر نیازی به ثبت نتیجه از سوی شما ندارد.</translation>
    </message>
</context>
<context>
    <name>CallbackPreview</name>
    <message>
        <source>Call now</source>
        <translation>تماس فوری</translation>
    </message>
    <message>
        <source>Call the customer now (Enter)</source>
        <translation>تماس فوری با مشتری (Enter)</translation>
    </message>
    <message>
        <source>Skip…</source>
        <translation>رد کردن…</translation>
    </message>
    <message>
        <source>Leave this callback to another agent, with a reason (Esc)</source>
        <translation>واگذاری این تماس برگشتی به کارشناس دیگر، با ذکر دلیل (Esc)</translation>
    </message>
    <message>
        <source>Callback for the %1 queue</source>
        <translation>تماس برگشتی برای صف %1</translation>
    </message>
    <message>
        <source>Callback</source>
        <translation>تماس برگشتی</translation>
    </message>
    <message>
        <source>Loading the task…</source>
        <translation>در حال بارگذاری درخواست…</translation>
    </message>
    <message>
        <source>No topic given</source>
        <translation>موضوعی ذکر نشده است</translation>
    </message>
    <message>
        <source>Attempt %1</source>
        <translation>تلاش %1</translation>
    </message>
    <message>
        <source>Attempt %1 of %2</source>
        <translation>تلاش %1 از %2</translation>
    </message>
    <message>
        <source>last time: %1</source>
        <translation>دفعهٔ قبل: %1</translation>
    </message>
    <message>
        <source>%1 · requested %2</source>
        <translation>%1 · درخواست: %2</translation>
    </message>
    <message>
        <source>Calling in %1 s</source>
        <translation>تماس تا %1 ثانیهٔ دیگر</translation>
    </message>
</context>
<context>
    <name>CallbackTableModel</name>
    <message>
        <source>Due</source>
        <translation>موعد</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>صف</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>اولویت</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>مشتری</translation>
    </message>
    <message>
        <source>Origin</source>
        <translation>منشأ</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>تلاش‌ها</translation>
    </message>
    <message>
        <source>Topic / notes</source>
        <translation>موضوع / یادداشت‌ها</translation>
    </message>
    <message>
        <source>Held by</source>
        <translation>در اختیار</translation>
    </message>
</context>
<context>
    <name>Callbacks</name>
    <message>
        <source>In queue</source>
        <translation>در صف</translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation>برنامه‌ریزی‌شده</translation>
    </message>
    <message>
        <source>Web</source>
        <translation>وب</translation>
    </message>
    <message>
        <source>Missed</source>
        <translation>بی‌پاسخ</translation>
    </message>
    <message>
        <source>Reached</source>
        <translation>برقرار شد</translation>
    </message>
    <message>
        <source>No answer</source>
        <translation>بدون پاسخ</translation>
    </message>
    <message>
        <source>Busy</source>
        <translation>مشغول</translation>
    </message>
    <message>
        <source>Voicemail</source>
        <translation>پست صوتی</translation>
    </message>
    <message>
        <source>Wrong number</source>
        <translation>شمارهٔ اشتباه</translation>
    </message>
    <message>
        <source>Declined</source>
        <translation>رد شد</translation>
    </message>
    <message>
        <source>Being called</source>
        <translation>در حال تماس</translation>
    </message>
    <message>
        <source>Offered</source>
        <translation>ارائه‌شده</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>انجام شد</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>ناموفق</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>لغوشده</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>گذشته از موعد</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>موعد رسیده</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 دقیقه</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 ساعت</translation>
    </message>
    <message>
        <source>%1 d</source>
        <translation>%1 روز</translation>
    </message>
    <message>
        <source>due now</source>
        <translation>اکنون موعد است</translation>
    </message>
    <message>
        <source>in %1</source>
        <translation>%1 دیگر</translation>
    </message>
    <message>
        <source>%1 overdue</source>
        <translation>%1 دیرکرد</translation>
    </message>
    <message>
        <source>due %1 ago</source>
        <translation>موعد %1 پیش بود</translation>
    </message>
    <message>
        <source>You</source>
        <translation>شما</translation>
    </message>
    <message>
        <source>VIP</source>
        <translation>VIP</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>عادی</translation>
    </message>
    <message>
        <source>High (%1)</source>
        <translation>بالا (%1)</translation>
    </message>
</context>
<context>
    <name>CallerRow</name>
    <message>
        <source>VIP</source>
        <translation>VIP</translation>
    </message>
    <message>
        <source>Callback</source>
        <translation>تماس برگشتی</translation>
    </message>
    <message>
        <source>A callback keeping the customer&apos;s place in line</source>
        <translation>تماس برگشتی که جایگاه مشتری را در صف حفظ می‌کند</translation>
    </message>
    <message>
        <source>VIP caller</source>
        <translation>تماس‌گیرندهٔ VIP</translation>
    </message>
</context>
<context>
    <name>CallsPanel</name>
    <message>
        <source>No calls. Type a number above, or wait for the queue.</source>
        <translation>تماسی نیست. شماره‌ای را در بالا وارد کنید یا منتظر تماس از صف بمانید.</translation>
    </message>
</context>
<context>
    <name>Crm</name>
    <message>
        <source>The CRM address template is malformed: %1</source>
        <translation>الگوی نشانی CRM نادرست است: %1</translation>
    </message>
    <message>
        <source>The CRM address template may only use %1, not {%2}</source>
        <translation>الگوی نشانی CRM فقط می‌تواند از %1 استفاده کند، نه {%2}</translation>
    </message>
    <message>
        <source>No value for {%1} in the CRM address</source>
        <translation>مقداری برای {%1} در نشانی CRM وجود ندارد</translation>
    </message>
    <message>
        <source>The CRM address must start with http:// or https:// and name a host</source>
        <translation>نشانی CRM باید با http:// یا https:// شروع شود و نام میزبان را داشته باشد</translation>
    </message>
    <message>
        <source>The CRM (%1) cannot be reached</source>
        <translation>دسترسی به CRM (%1) ممکن نیست</translation>
    </message>
    <message>
        <source>The CRM request failed (%1)</source>
        <translation>درخواست CRM ناموفق بود (%1)</translation>
    </message>
    <message>
        <source>CRM did not answer within %1 s</source>
        <translation>پاسخی از CRM ظرف %1 ثانیه دریافت نشد</translation>
    </message>
    <message>
        <source>The CRM refused the request (HTTP %1): check its credentials</source>
        <translation>درخواست از سوی CRM رد شد (HTTP %1): اطلاعات احراز هویت آن را بررسی کنید</translation>
    </message>
    <message>
        <source>The CRM failed (HTTP %1)</source>
        <translation>خطای CRM (HTTP %1)</translation>
    </message>
    <message>
        <source>The CRM did not accept the request (HTTP %1)</source>
        <translation>درخواست از سوی CRM پذیرفته نشد (HTTP %1)</translation>
    </message>
    <message>
        <source>The CRM&apos;s answer is too large to be a customer record</source>
        <translation>پاسخ CRM برای پروندهٔ مشتری بیش از حد بزرگ است</translation>
    </message>
    <message>
        <source>The CRM&apos;s answer is not valid JSON</source>
        <translation>پاسخ CRM یک JSON معتبر نیست</translation>
    </message>
    <message>
        <source>The CRM&apos;s answer is not a customer record</source>
        <translation>پاسخ CRM پروندهٔ مشتری نیست</translation>
    </message>
    <message>
        <source>No CRM is set up</source>
        <translation>هیچ سامانهٔ CRM تنظیم نشده است</translation>
    </message>
    <message>
        <source>The CRM look-up failed</source>
        <translation>جست‌وجو در CRM ناموفق بود</translation>
    </message>
</context>
<context>
    <name>DeskConnection</name>
    <message>
        <source>Not connected to the desk service</source>
        <translation>به سرویس میز کار متصل نیست</translation>
    </message>
    <message>
        <source>The desk service sent unreadable call data</source>
        <translation>سرویس میز کار داده‌های ناخوانای تماس فرستاد</translation>
    </message>
    <message>
        <source>Reconnecting to the desk service…</source>
        <translation>در حال اتصال دوباره به سرویس میز کار…</translation>
    </message>
    <message>
        <source>Cannot reach the desk service at %s</source>
        <translation>دسترسی به سرویس میز کار در %s ممکن نیست</translation>
    </message>
</context>
<context>
    <name>DeskView</name>
    <message>
        <source>%1 waiting · %2 free</source>
        <translation>%1 در انتظار · %2 آزاد</translation>
    </message>
    <message>
        <source>%1 (queue)</source>
        <translation>%1 (صف)</translation>
    </message>
    <message>
        <source>Voicemail: %1</source>
        <translation>پست صوتی: %1</translation>
    </message>
    <message>
        <source>leave a message</source>
        <translation>گذاشتن پیام</translation>
    </message>
    <message>
        <source>The desk service has lost the PBX; reconnecting…</source>
        <translation>ارتباط سرویس میز کار با PBX قطع شده است؛ در حال اتصال دوباره…</translation>
    </message>
</context>
<context>
    <name>Dialer</name>
    <message>
        <source>Number or extension</source>
        <translation>شماره یا داخلی</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>تماس</translation>
    </message>
    <message>
        <source>Call the number (Enter)</source>
        <translation>تماس با شماره (Enter)</translation>
    </message>
    <message>
        <source>Dial pad (Ctrl+D)</source>
        <translation>صفحه‌کلید شماره‌گیری (Ctrl+D)</translation>
    </message>
</context>
<context>
    <name>Header</name>
    <message>
        <source>Offline</source>
        <translation>آفلاین</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>در حال اتصال…</translation>
    </message>
    <message>
        <source>Phone online</source>
        <translation>تلفن آنلاین</translation>
    </message>
    <message>
        <source>Login failed</source>
        <translation>ورود ناموفق</translation>
    </message>
    <message>
        <source>PBX unreachable</source>
        <translation>دسترسی به PBX ممکن نیست</translation>
    </message>
    <message>
        <source>Settings (Ctrl+,)</source>
        <translation>تنظیمات (Ctrl+,)</translation>
    </message>
    <message>
        <source>No account</source>
        <translation>بدون حساب</translation>
    </message>
    <message>
        <source>Open settings to log in</source>
        <translation>برای ورود، تنظیمات را باز کنید</translation>
    </message>
</context>
<context>
    <name>History</name>
    <message>
        <source>Answered by a colleague (%1)</source>
        <translation>پاسخ توسط همکار (%1)</translation>
    </message>
    <message>
        <source>Missed</source>
        <translation>بی‌پاسخ</translation>
    </message>
    <message>
        <source>Declined</source>
        <translation>ردشده</translation>
    </message>
    <message>
        <source>No answer</source>
        <translation>بدون پاسخ</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>ناموفق</translation>
    </message>
    <message>
        <source>survey %1/5</source>
        <translation>نظرسنجی %1/5</translation>
    </message>
    <message>
        <source>quality: %1, MOS %2</source>
        <translation>کیفیت: %1، MOS %2</translation>
    </message>
    <message>
        <source>offered %1 times</source>
        <translation>%1 بار ارائه شد</translation>
    </message>
</context>
<context>
    <name>IncomingCallWindow</name>
    <message>
        <source>Incoming call</source>
        <translation>تماس ورودی</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>پاسخ</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>رد کردن</translation>
    </message>
    <message>
        <source>Callback: answer to call the customer</source>
        <translation>تماس برگشتی: برای تماس با مشتری پاسخ دهید</translation>
    </message>
    <message>
        <source>Queue: %1</source>
        <translation>صف: %1</translation>
    </message>
</context>
<context>
    <name>LeadNotice</name>
    <message>
        <source>%1 is coaching you</source>
        <translation>%1 در حال راهنمایی شماست</translation>
    </message>
    <message>
        <source>%1 has joined the call</source>
        <translation>%1 وارد تماس شد</translation>
    </message>
    <message>
        <source>%1 is listening</source>
        <translation>%1 در حال شنود تماس است</translation>
    </message>
    <message>
        <source>%1 paused you: %2</source>
        <translation>%1 شما را متوقف کرد: %2</translation>
    </message>
    <message>
        <source>%1 made you ready</source>
        <translation>%1 وضعیت شما را به «آماده» تغییر داد</translation>
    </message>
    <message>
        <source>%1 logged you in to %2</source>
        <translation>%1 شما را وارد صف %2 کرد</translation>
    </message>
    <message>
        <source>%1 logged you out of %2</source>
        <translation>%1 شما را از صف %2 خارج کرد</translation>
    </message>
    <message>
        <source>%1 changed your queue priority: %2</source>
        <translation>%1 اولویت صف شما را تغییر داد: %2</translation>
    </message>
    <message>
        <source>%1 will pause you after this call: %2</source>
        <translation>%1 شما را پس از این تماس متوقف می‌کند: %2</translation>
    </message>
    <message>
        <source>%1 cancelled your pause after this call</source>
        <translation>%1 توقف پس از این تماس را لغو کرد</translation>
    </message>
    <message>
        <source>%1 paused you after your call: %2</source>
        <translation>%1 شما را پس از تماستان متوقف کرد: %2</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>سرپرست %1: %2</translation>
    </message>
</context>
<context>
    <name>LiveCalls</name>
    <message>
        <source>Agent</source>
        <translation>کارشناس</translation>
    </message>
    <message>
        <source>With</source>
        <translation>طرف تماس</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>صف</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>شروع</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>مدت</translation>
    </message>
    <message>
        <source>Marks</source>
        <translation>نشانه‌ها</translation>
    </message>
    <message>
        <source>Supervised</source>
        <translation>نظارت</translation>
    </message>
    <message>
        <source>%1 by %2</source>
        <translation>%1 توسط %2</translation>
    </message>
    <message>
        <source>Position</source>
        <translation>جایگاه</translation>
    </message>
    <message>
        <source>Caller</source>
        <translation>تماس‌گیرنده</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>مدت انتظار</translation>
    </message>
    <message>
        <source>VIP</source>
        <translation>VIP</translation>
    </message>
    <message>
        <source>callback</source>
        <translation>تماس برگشتی</translation>
    </message>
</context>
<context>
    <name>LiveCallsPanel</name>
    <message>
        <source>Move to queue…</source>
        <translation>جابه‌جایی به صف دیگر…</translation>
    </message>
    <message>
        <source>Send to callback</source>
        <translation>ارجاع به تماس برگشتی</translation>
    </message>
    <message>
        <source>Offer the caller the callback menu; they keep their place</source>
        <translation>منوی تماس برگشتی به تماس‌گیرنده پیشنهاد می‌شود؛ جایگاه او در صف حفظ می‌شود</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Calls</source>
        <translation>تماس‌ها</translation>
    </message>
    <message>
        <source>History</source>
        <translation>سابقه</translation>
    </message>
    <message>
        <source>Queues</source>
        <translation>صف‌ها</translation>
    </message>
    <message>
        <source>Callbacks</source>
        <translation>تماس‌های برگشتی</translation>
    </message>
    <message>
        <source>Only a queue call can go to the survey.</source>
        <translation>فقط تماس صف را می‌توان به نظرسنجی فرستاد.</translation>
    </message>
    <message>
        <source>Quit AgentDesk</source>
        <translation>خروج از AgentDesk</translation>
    </message>
    <message>
        <source>You have a call. Quitting hangs it up. Quit anyway?</source>
        <translation>در حال تماس هستید. با خروج، تماس قطع می‌شود. با این حال خارج می‌شوید؟</translation>
    </message>
    <message>
        <source>%1 Quit anyway?</source>
        <translation>%1 با این حال خارج می‌شوید؟</translation>
    </message>
</context>
<context>
    <name>MonitorBoard</name>
    <message>
        <source>Agent</source>
        <translation>کارشناس</translation>
    </message>
    <message>
        <source>State</source>
        <translation>وضعیت</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>مدت</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>تماس</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>پاسخ‌داده‌شده</translation>
    </message>
    <message>
        <source>AHT</source>
        <translation>میانگین
رسیدگی</translation>
    </message>
    <message>
        <source>Missed</source>
        <translation>بی‌پاسخ</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>کیفیت</translation>
    </message>
    <message>
        <source>Queues</source>
        <translation>صف‌ها</translation>
    </message>
    <message>
        <source>Paused: %1</source>
        <translation>متوقف: %1</translation>
    </message>
    <message>
        <source>Wrap-up, %1 left</source>
        <translation>پس از تماس، %1 مانده</translation>
    </message>
    <message>
        <source>Wrap-up, %1 over</source>
        <translation>پس از تماس، %1 اضافه</translation>
    </message>
    <message>
        <source>then %1</source>
        <translation>سپس %1</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>آماده</translation>
    </message>
    <message>
        <source>Ringing</source>
        <translation>در حال زنگ</translation>
    </message>
    <message>
        <source>On call</source>
        <translation>در تماس</translation>
    </message>
    <message>
        <source>On hold</source>
        <translation>تماس در انتظار</translation>
    </message>
    <message>
        <source>Wrap-up</source>
        <translation>کارهای پس از تماس</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>متوقف</translation>
    </message>
    <message>
        <source>Logged out</source>
        <translation>خارج از صف</translation>
    </message>
    <message>
        <source>Phone unavailable</source>
        <translation>تلفن در دسترس نیست</translation>
    </message>
    <message>
        <source>Listen</source>
        <translation>شنود</translation>
    </message>
    <message>
        <source>Whisper</source>
        <translation>نجوا</translation>
    </message>
    <message>
        <source>Barge</source>
        <translation>ورود به تماس</translation>
    </message>
    <message>
        <source>Unknown caller</source>
        <translation>تماس‌گیرندهٔ ناشناس</translation>
    </message>
    <message>
        <source>VIP</source>
        <translation>VIP</translation>
    </message>
    <message>
        <source>callback</source>
        <translation>تماس برگشتی</translation>
    </message>
    <message>
        <source>transferred</source>
        <translation>منتقل‌شده</translation>
    </message>
    <message>
        <source>on hold</source>
        <translation>در انتظار</translation>
    </message>
</context>
<context>
    <name>MonitorLink</name>
    <message>
        <source>Not connected to the desk service</source>
        <translation>به سرویس میز کار متصل نیست</translation>
    </message>
</context>
<context>
    <name>MonitorMode</name>
    <message>
        <source>Monitor</source>
        <translation>نظارت</translation>
    </message>
    <message>
        <source>The floor: agents, queues, live calls (Ctrl+M)</source>
        <translation>سالن: کارشناسان، صف‌ها، تماس‌های جاری (Ctrl+M)</translation>
    </message>
</context>
<context>
    <name>MonitorWindow</name>
    <message>
        <source>AgentDesk monitor</source>
        <translation>نظارت AgentDesk</translation>
    </message>
    <message>
        <source>All states</source>
        <translation>همهٔ وضعیت‌ها</translation>
    </message>
    <message>
        <source>Find an agent</source>
        <translation>جست‌وجوی کارشناس</translation>
    </message>
    <message>
        <source>Group by queue</source>
        <translation>گروه‌بندی بر اساس صف</translation>
    </message>
    <message>
        <source>Wallboard</source>
        <translation>تابلوی صف‌ها</translation>
    </message>
    <message>
        <source>Show the queues full screen (Ctrl+Shift+W)</source>
        <translation>نمایش تمام‌صفحهٔ صف‌ها (Ctrl+Shift+W)</translation>
    </message>
    <message>
        <source>VIP callers…</source>
        <translation>تماس‌گیرندگان VIP…</translation>
    </message>
    <message>
        <source>Never call back…</source>
        <translation>ممنوعیت تماس برگشتی…</translation>
    </message>
    <message>
        <source>Numbers the callback service never calls</source>
        <translation>شماره‌هایی که سرویس تماس برگشتی هرگز با آن‌ها تماس نمی‌گیرد</translation>
    </message>
    <message>
        <source>Board</source>
        <translation>تابلوی کارشناسان</translation>
    </message>
    <message>
        <source>Queues</source>
        <translation>صف‌ها</translation>
    </message>
    <message>
        <source>Live calls</source>
        <translation>تماس‌های جاری</translation>
    </message>
    <message>
        <source>Audit</source>
        <translation>گزارش اقدامات</translation>
    </message>
    <message>
        <source>All queues</source>
        <translation>همهٔ صف‌ها</translation>
    </message>
</context>
<context>
    <name>MoveCallerDialog</name>
    <message>
        <source>Move %1 to another queue</source>
        <translation>جابه‌جایی %1 به صف دیگر</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>صف</translation>
    </message>
</context>
<context>
    <name>NumberListDialog</name>
    <message>
        <source>Never call back</source>
        <translation>ممنوعیت تماس برگشتی</translation>
    </message>
    <message>
        <source>VIP callers</source>
        <translation>تماس‌گیرندگان VIP</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>دلیل</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>یادداشت</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>شماره</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>افزودن</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>حذف</translation>
    </message>
</context>
<context>
    <name>OutcomeKeeper</name>
    <message>
        <source>%1 callback outcome(s) are not saved yet.</source>
        <translation>%1 نتیجهٔ تماس برگشتی هنوز ذخیره نشده است.</translation>
    </message>
    <message>
        <source>Outcome saved, but not rescheduled: %1</source>
        <translation>نتیجه ذخیره شد، اما زمان‌بندی دوباره انجام نشد: %1</translation>
    </message>
</context>
<context>
    <name>OutcomePicker</name>
    <message>
        <source>Note (optional)</source>
        <translation>یادداشت (اختیاری)</translation>
    </message>
    <message>
        <source>Call again at</source>
        <translation>تماس دوباره در</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>ذخیره</translation>
    </message>
    <message>
        <source>Retry now</source>
        <translation>اکنون دوباره تلاش کن</translation>
    </message>
    <message>
        <source>Close without saving</source>
        <translation>بستن بدون ذخیره</translation>
    </message>
    <message>
        <source>How did the callback go?</source>
        <translation>نتیجهٔ تماس برگشتی چه بود؟</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>در حال ذخیره…</translation>
    </message>
    <message>
        <source>Not saved yet: %1. Trying again in %2 s.</source>
        <translation>هنوز ذخیره نشده است: %1. تلاش دوباره تا %2 ثانیهٔ دیگر.</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>ذخیره نشد: %1</translation>
    </message>
</context>
<context>
    <name>PauseDialog</name>
    <message>
        <source>Pause %1 after this call</source>
        <translation>توقف %1 پس از این تماس</translation>
    </message>
    <message>
        <source>Pause %1</source>
        <translation>توقف %1</translation>
    </message>
    <message>
        <source>Why (the agent reads this)</source>
        <translation>چرا؟ (کارشناس این را می‌خواند)</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>علت توقف</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>یادداشت</translation>
    </message>
    <message>
        <source>Cancel the pause asked for after this call</source>
        <translation>لغو توقفی که برای پس از این تماس درخواست شده است</translation>
    </message>
</context>
<context>
    <name>QualityLabel</name>
    <message>
        <source>Call quality</source>
        <translation>کیفیت تماس</translation>
    </message>
</context>
<context>
    <name>QueueCard</name>
    <message>
        <source>View only</source>
        <translation>فقط مشاهده</translation>
    </message>
    <message>
        <source>The directory does not list this queue for you: you can follow it here, but not join it. A team lead can change that.</source>
        <translation>این صف در فهرست برای شما ثبت نشده است: می‌توانید آن را اینجا دنبال کنید، اما نمی‌توانید به آن بپیوندید. سرپرست می‌تواند این را تغییر دهد.</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>در انتظار</translation>
    </message>
    <message>
        <source>Longest</source>
        <translation>بیشترین انتظار</translation>
    </message>
    <message>
        <source>Free</source>
        <translation>آزاد</translation>
    </message>
    <message>
        <source>On call</source>
        <translation>در تماس</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>متوقف</translation>
    </message>
    <message>
        <source>No callers waiting</source>
        <translation>تماس‌گیرنده‌ای در انتظار نیست</translation>
    </message>
    <message>
        <source>Queue %1</source>
        <translation>صف %1</translation>
    </message>
    <message>
        <source>%1 more waiting</source>
        <translation>%1 نفر دیگر در انتظار</translation>
    </message>
    <message>
        <source>Agents logged in: %1</source>
        <translation>کارشناسان واردشده: %1</translation>
    </message>
    <message>
        <source>phone unavailable: %1</source>
        <translation>تلفن در دسترس نیست: %1</translation>
    </message>
    <message>
        <source>Today: %1 answered · %2 abandoned</source>
        <translation>امروز: %1 پاسخ‌داده‌شده · %2 رهاشده</translation>
    </message>
    <message>
        <source>%1 called back</source>
        <translation>%1 تماس برگشتی موفق</translation>
    </message>
    <message>
        <source>SL %1</source>
        <translation>سطح خدمت %1</translation>
    </message>
    <message>
        <source>Answered and abandoned: customers who called this queue today; a returning caller rung straight to their last agent counts too.</source>
        <translation>پاسخ‌داده‌شده و رهاشده: مشتریانی که امروز با این صف تماس گرفته‌اند؛ تماس‌گیرندهٔ بازگشتی که مستقیماً به آخرین کارشناسش وصل شده نیز شمرده می‌شود.</translation>
    </message>
    <message>
        <source>Service level: the share of those answered or abandoned that were answered within %1 s (— before the first such call).</source>
        <translation>سطح خدمت: سهمی از تماس‌های پاسخ‌داده‌شده یا رهاشده که ظرف %1 ثانیه پاسخ داده شده‌اند (پیش از نخستین تماس از این دست: —).</translation>
    </message>
    <message>
        <source>Callbacks are counted apart: %1 tried today, %2 reached (closed as reached) today; they are not in the answered figure.</source>
        <translation>تماس‌های برگشتی جداگانه شمرده می‌شوند: امروز %1 مورد تلاش‌شده و %2 مورد برقرارشده (بسته‌شده با نتیجهٔ «برقرار شد»)؛ این‌ها در آمار پاسخ‌داده‌شده‌ها نیستند.</translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message>
        <source>%1%</source>
        <translation>%1٪</translation>
    </message>
    <message>
        <source>You are in no queue.</source>
        <translation>شما در هیچ صفی نیستید.</translation>
    </message>
</context>
<context>
    <name>QueuesDialog</name>
    <message>
        <source>Queues of %1</source>
        <translation>صف‌های %1</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>صف</translation>
    </message>
    <message>
        <source>Penalty</source>
        <translation>پنالتی</translation>
    </message>
    <message>
        <source>Why (the agent reads this)</source>
        <translation>چرا؟ (کارشناس این را می‌خواند)</translation>
    </message>
</context>
<context>
    <name>RescheduleDialog</name>
    <message>
        <source>Reschedule a callback</source>
        <translation>زمان‌بندی دوبارهٔ تماس برگشتی</translation>
    </message>
    <message>
        <source>Why (optional)</source>
        <translation>دلیل (اختیاری)</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>مشتری</translation>
    </message>
    <message>
        <source>Call at</source>
        <translation>زمان تماس</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>یادداشت</translation>
    </message>
    <message>
        <source>Reschedule</source>
        <translation>زمان‌بندی دوباره</translation>
    </message>
</context>
<context>
    <name>ScheduleDialog</name>
    <message>
        <source>Schedule a callback</source>
        <translation>برنامه‌ریزی تماس برگشتی</translation>
    </message>
    <message>
        <source>The customer&apos;s phone number</source>
        <translation>شمارهٔ تلفن مشتری</translation>
    </message>
    <message>
        <source>As soon as possible</source>
        <translation>در اولین فرصت</translation>
    </message>
    <message>
        <source>At</source>
        <translation>در زمان</translation>
    </message>
    <message>
        <source>Call back with me if I am available</source>
        <translation>اگر در دسترس بودم، تماس برگشتی با خودم باشد</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>شماره</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>نام</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>صف</translation>
    </message>
    <message>
        <source>When</source>
        <translation>زمان</translation>
    </message>
    <message>
        <source>Topic</source>
        <translation>موضوع</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>یادداشت‌ها</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>برنامه‌ریزی</translation>
    </message>
    <message>
        <source>Type the number to call back.</source>
        <translation>شماره‌ای را که باید با آن تماس برگشتی گرفته شود وارد کنید.</translation>
    </message>
    <message>
        <source>Choose the queue that calls back.</source>
        <translation>صفی را که تماس برگشتی را انجام می‌دهد انتخاب کنید.</translation>
    </message>
</context>
<context>
    <name>ScreenPop</name>
    <message>
        <source>Answered</source>
        <translation>پاسخ داده شد</translation>
    </message>
    <message>
        <source>Hung up waiting</source>
        <translation>قطع در حین انتظار</translation>
    </message>
    <message>
        <source>Queue timed out</source>
        <translation>پایان مهلت صف</translation>
    </message>
    <message>
        <source>Queue full</source>
        <translation>صف پر</translation>
    </message>
    <message>
        <source>Transferred</source>
        <translation>منتقل شد</translation>
    </message>
    <message>
        <source>resolved on first contact</source>
        <translation>حل‌شده در نخستین تماس</translation>
    </message>
</context>
<context>
    <name>ScreenPopCard</name>
    <message>
        <source>VIP</source>
        <translation>VIP</translation>
    </message>
    <message>
        <source>Called before</source>
        <translation>قبلاً تماس گرفته</translation>
    </message>
    <message>
        <source>Open in CRM</source>
        <translation>باز کردن در CRM</translation>
    </message>
    <message>
        <source>Open the customer&apos;s page in the CRM (Ctrl+O)</source>
        <translation>باز کردن صفحهٔ مشتری در CRM (Ctrl+O)</translation>
    </message>
    <message>
        <source>Earlier calls</source>
        <translation>تماس‌های قبلی</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>مشتری</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>شرکت</translation>
    </message>
    <message>
        <source>Tier</source>
        <translation>رده</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>ایمیل</translation>
    </message>
    <message>
        <source>City</source>
        <translation>شهر</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>یادداشت‌ها</translation>
    </message>
    <message>
        <source>Customer ID</source>
        <translation>شناسهٔ مشتری</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>تاریخ</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>کارشناس</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>صف</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>نتیجه</translation>
    </message>
    <message>
        <source>Disposition</source>
        <translation>نتیجهٔ تماس</translation>
    </message>
    <message>
        <source>Survey</source>
        <translation>نظرسنجی</translation>
    </message>
    <message>
        <source>Callback to this customer</source>
        <translation>تماس برگشتی با این مشتری</translation>
    </message>
    <message>
        <source>Incoming call from the %1 queue</source>
        <translation>تماس ورودی از صف %1</translation>
    </message>
    <message>
        <source>Incoming call</source>
        <translation>تماس ورودی</translation>
    </message>
    <message>
        <source>Unknown caller</source>
        <translation>تماس‌گیرندهٔ ناشناس</translation>
    </message>
    <message>
        <source>Waited %1 · position %2 on entry</source>
        <translation>انتظار %1 · جایگاه %2 هنگام ورود</translation>
    </message>
    <message>
        <source>Looking up the customer…</source>
        <translation>در حال جست‌وجوی مشتری…</translation>
    </message>
    <message>
        <source>Not a known customer</source>
        <translation>مشتری شناخته‌شده‌ای نیست</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>PBX address</source>
        <translation>نشانی PBX</translation>
    </message>
    <message>
        <source>Extension</source>
        <translation>داخلی</translation>
    </message>
    <message>
        <source>SIP transport</source>
        <translation>پروتکل انتقال SIP</translation>
    </message>
    <message>
        <source>Trusted certificate authority (PEM file)</source>
        <translation>مرجع گواهی مورد اعتماد (فایل PEM)</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>نام نمایشی</translation>
    </message>
    <message>
        <source>Registration interval (seconds)</source>
        <translation>فاصلهٔ ثبت (ثانیه)</translation>
    </message>
    <message>
        <source>Answer queue calls automatically</source>
        <translation>پاسخ خودکار به تماس‌های صف</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>میکروفون</translation>
    </message>
    <message>
        <source>Speaker</source>
        <translation>بلندگو</translation>
    </message>
    <message>
        <source>Ring on</source>
        <translation>پخش زنگ از</translation>
    </message>
    <message>
        <source>Call progress tones</source>
        <translation>بوق‌های تماس</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>زبان</translation>
    </message>
    <message>
        <source>Layout direction</source>
        <translation>جهت چیدمان</translation>
    </message>
    <message>
        <source>Start AgentDesk when I log in</source>
        <translation>اجرای AgentDesk هنگام ورود به سیستم</translation>
    </message>
    <message>
        <source>Desk service address</source>
        <translation>نشانی سرویس میز کار</translation>
    </message>
    <message>
        <source>CRM look-up address</source>
        <translation>نشانی جست‌وجوی CRM</translation>
    </message>
    <message>
        <source>CRM customer page address</source>
        <translation>نشانی صفحهٔ مشتری در CRM</translation>
    </message>
    <message>
        <source>CRM time limit (milliseconds)</source>
        <translation>مهلت پاسخ CRM (میلی‌ثانیه)</translation>
    </message>
    <message>
        <source>CRM authorisation header name</source>
        <translation>نام سرآیند مجوز CRM</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Account</source>
        <translation>حساب</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>صدا</translation>
    </message>
    <message>
        <source>Calls</source>
        <translation>تماس‌ها</translation>
    </message>
    <message>
        <source>Contact center</source>
        <translation>مرکز تماس</translation>
    </message>
    <message>
        <source>Interface</source>
        <translation>رابط کاربری</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>پیش‌فرض سیستم</translation>
    </message>
    <message>
        <source>TLS (encrypted calls)</source>
        <translation>TLS (تماس‌های رمزنگاری‌شده)</translation>
    </message>
    <message>
        <source>North America</source>
        <translation>آمریکای شمالی</translation>
    </message>
    <message>
        <source>Europe</source>
        <translation>اروپا</translation>
    </message>
    <message>
        <source>Iran</source>
        <translation>ایران</translation>
    </message>
    <message>
        <source>Russia</source>
        <translation>روسیه</translation>
    </message>
    <message>
        <source>From the language</source>
        <translation>بر اساس زبان</translation>
    </message>
    <message>
        <source>Left to right</source>
        <translation>چپ به راست</translation>
    </message>
    <message>
        <source>Right to left</source>
        <translation>راست به چپ</translation>
    </message>
    <message>
        <source>AgentDesk settings</source>
        <translation>تنظیمات AgentDesk</translation>
    </message>
    <message>
        <source>unchanged (kept in the system keyring)</source>
        <translation>بدون تغییر (در جاکلیدی سیستم نگهداری می‌شود)</translation>
    </message>
    <message>
        <source>Set up from a link…</source>
        <translation>راه‌اندازی با پیوند…</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>گذرواژه</translation>
    </message>
    <message>
        <source>Microphone level</source>
        <translation>سطح صدای میکروفون</translation>
    </message>
    <message>
        <source>Call the echo test</source>
        <translation>تماس با آزمون پژواک</translation>
    </message>
    <message>
        <source>Set by your administrator</source>
        <translation>تعیین‌شده از سوی مدیر شما</translation>
    </message>
    <message>
        <source>Paste the set-up link from your administrator into the field first.</source>
        <translation>نخست پیوند راه‌اندازی را که مدیرتان فرستاده در این کادر بچسبانید.</translation>
    </message>
</context>
<context>
    <name>SkipDialog</name>
    <message>
        <source>Skip this callback</source>
        <translation>رد کردن این تماس برگشتی</translation>
    </message>
    <message>
        <source>Why skip it? It goes back to the list for another agent.</source>
        <translation>چرا رد می‌کنید؟ این مورد برای کارشناس دیگری به فهرست برمی‌گردد.</translation>
    </message>
    <message>
        <source>More detail (optional)</source>
        <translation>توضیح بیشتر (اختیاری)</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>رد کردن</translation>
    </message>
    <message>
        <source>Not ready for this customer now</source>
        <translation>اکنون برای این مشتری آماده نیستم</translation>
    </message>
    <message>
        <source>Needs another language or skill</source>
        <translation>زبان یا مهارت دیگری لازم است</translation>
    </message>
    <message>
        <source>Going on a break</source>
        <translation>به استراحت می‌روم</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>سایر</translation>
    </message>
</context>
<context>
    <name>SupervisionBar</name>
    <message>
        <source>Listen</source>
        <translation>شنود</translation>
    </message>
    <message>
        <source>You hear both; nobody hears you</source>
        <translation>صدای هر دو طرف را می‌شنوید؛ کسی صدای شما را نمی‌شنود</translation>
    </message>
    <message>
        <source>Whisper</source>
        <translation>نجوا</translation>
    </message>
    <message>
        <source>Only the agent hears you</source>
        <translation>فقط کارشناس صدای شما را می‌شنود</translation>
    </message>
    <message>
        <source>Barge</source>
        <translation>ورود به تماس</translation>
    </message>
    <message>
        <source>The agent and the caller hear you</source>
        <translation>کارشناس و تماس‌گیرنده صدای شما را می‌شنوند</translation>
    </message>
    <message>
        <source>Leave</source>
        <translation>خروج</translation>
    </message>
    <message>
        <source>Ringing your phone to supervise %1…</source>
        <translation>در حال زنگ زدن به تلفن شما برای نظارت بر %1…</translation>
    </message>
    <message>
        <source>Supervising %1&apos;s call</source>
        <translation>نظارت بر تماس %1</translation>
    </message>
</context>
<context>
    <name>TransferPicker</name>
    <message>
        <source>Transfer %1</source>
        <translation>انتقال %1</translation>
    </message>
    <message>
        <source>Name, extension, queue or number</source>
        <translation>نام، داخلی، صف یا شماره</translation>
    </message>
    <message>
        <source>Enter: transfer now · Ctrl+Enter: talk to them first</source>
        <translation>انتقال فوری: Enter · ابتدا مشورت: Ctrl+Enter</translation>
    </message>
    <message>
        <source>Transfer now</source>
        <translation>انتقال فوری</translation>
    </message>
    <message>
        <source>Talk first</source>
        <translation>ابتدا مشورت</translation>
    </message>
</context>
<context>
    <name>Wallboard</name>
    <message>
        <source>Stale since %1 — reconnecting</source>
        <translation>بدون به‌روزرسانی از %1 — در حال اتصال دوباره</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>صف</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>در انتظار</translation>
    </message>
    <message>
        <source>Longest
wait</source>
        <translation>بیشترین
انتظار</translation>
    </message>
    <message>
        <source>Expected
wait</source>
        <translation>انتظار
پیش‌بینی‌شده</translation>
    </message>
    <message>
        <source>Service
level</source>
        <translation>سطح
خدمت</translation>
    </message>
    <message>
        <source>SL with
abandons</source>
        <translation>سطح خدمت
با رهاشده‌ها</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>پاسخ‌داده‌شده</translation>
    </message>
    <message>
        <source>Abandoned</source>
        <translation>رهاشده</translation>
    </message>
    <message>
        <source>ASA</source>
        <translation>میانگین
زمان پاسخ</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>آماده</translation>
    </message>
    <message>
        <source>On call</source>
        <translation>در تماس</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>متوقف</translation>
    </message>
    <message>
        <source>Wrap-up</source>
        <translation>کارهای
پس از تماس</translation>
    </message>
    <message>
        <source>Callbacks
due</source>
        <translation>تماس برگشتی
موعد رسیده</translation>
    </message>
</context>
<context>
    <name>WallboardWindow</name>
    <message>
        <source>AgentDesk wallboard</source>
        <translation>تابلوی صف‌های AgentDesk</translation>
    </message>
    <message>
        <source>Queues</source>
        <translation>صف‌ها</translation>
    </message>
</context>
<context>
    <name>When</name>
    <message>
        <source>today %1</source>
        <translation>امروز %1</translation>
    </message>
    <message>
        <source>tomorrow %1</source>
        <translation>فردا %1</translation>
    </message>
    <message>
        <source>yesterday %1</source>
        <translation>دیروز %1</translation>
    </message>
</context>
<context>
    <name>WrapUpDesk</name>
    <message>
        <source>Sending…</source>
        <translation>در حال ارسال…</translation>
    </message>
    <message>
        <source>Choose a disposition first (Ctrl+1…Ctrl+%1).</source>
        <translation>ابتدا نتیجهٔ تماس را انتخاب کنید (Ctrl+1…Ctrl+%1).</translation>
    </message>
    <message>
        <source>Wrap-up saved; sending it to the desk service…</source>
        <translation>کارهای پس از تماس ذخیره شد؛ در حال ارسال به سرویس میز کار…</translation>
    </message>
    <message>
        <source>Cannot save the draft on this computer: %1</source>
        <translation>ذخیرهٔ پیش‌نویس روی این رایانه ممکن نیست: %1</translation>
    </message>
    <message>
        <source>Saved at the desk service</source>
        <translation>در سرویس میز کار ذخیره شد</translation>
    </message>
    <message>
        <source>Wrap-up sent to the desk service</source>
        <translation>کارهای پس از تماس به سرویس میز کار ارسال شد</translation>
    </message>
    <message>
        <source>Kept on this computer; sending again soon (%1)</source>
        <translation>روی این رایانه نگه داشته شد؛ به‌زودی دوباره ارسال می‌شود (%1)</translation>
    </message>
    <message>
        <source>The desk service refused a wrap-up: %1</source>
        <translation>سرویس میز کار کارهای پس از تماس را نپذیرفت: %1</translation>
    </message>
</context>
<context>
    <name>WrapUpPanel</name>
    <message>
        <source>After-call work</source>
        <translation>کارهای پس از تماس</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>یادداشت‌ها</translation>
    </message>
    <message>
        <source>&amp;Resolved on first contact</source>
        <translation>حل‌شده در نخستین تماس (&amp;R)</translation>
    </message>
    <message>
        <source>Needs &amp;follow-up</source>
        <translation>نیاز به پیگیری (&amp;F)</translation>
    </message>
    <message>
        <source>Topic of the follow-up</source>
        <translation>موضوع پیگیری</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>ذخیره</translation>
    </message>
    <message>
        <source>Save the record; the wrap-up time keeps running (Ctrl+S)</source>
        <translation>ذخیرهٔ گزارش تماس؛ زمان کارهای پس از تماس ادامه می‌یابد (Ctrl+S)</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>پایان</translation>
    </message>
    <message>
        <source>Save the record and end the wrap-up (Ctrl+Return)</source>
        <translation>ذخیرهٔ گزارش تماس و پایان کارهای پس از تماس (Ctrl+Return)</translation>
    </message>
    <message>
        <source>Unknown caller</source>
        <translation>تماس‌گیرندهٔ ناشناس</translation>
    </message>
    <message>
        <source>%1 queue</source>
        <translation>صف %1</translation>
    </message>
    <message>
        <source>Ctrl+%1</source>
        <translation>Ctrl+%1</translation>
    </message>
    <message>
        <source>Wrap-up time is over; the record is still wanted</source>
        <translation>زمان کارهای پس از تماس تمام شد؛ گزارش تماس هنوز لازم است</translation>
    </message>
    <message>
        <source>Overtime %1</source>
        <translation>اضافه‌زمان %1</translation>
    </message>
</context>
<context>
    <name>self.window</name>
    <message>
        <source>No account yet: open Settings to log in.</source>
        <translation>هنوز حسابی ندارید: برای ورود، تنظیمات را باز کنید.</translation>
    </message>
    <message>
        <source>No password is stored for this account: open Settings.</source>
        <translation>گذرواژه‌ای برای این حساب ذخیره نشده است: تنظیمات را باز کنید.</translation>
    </message>
</context>
</TS>
